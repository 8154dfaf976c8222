// Params reach bash as single-quoted words: proven with a real bash process.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { quotedPlaceholders, renderCommand, shellQuote } from '../src/syntax/template.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const hostile = (dir: string) => [
  `x; touch ${dir}/pwned`,
  `$(touch ${dir}/pwned)`,
  `\`touch ${dir}/pwned\``,
  `it's "quoted" $HOME`,
  `a\nb; touch ${dir}/pwned`,
  `'; touch ${dir}/pwned; echo '`,
  `*`,
  `--help`,
  `\\' ; touch ${dir}/pwned`,
]

describe('shell quoting', () => {
  test('every hostile value is printed literally by a real bash and runs nothing', async () => {
    const dir = tempDir()
    for (const value of hostile(dir)) {
      const cmd = renderCommand('printf %s [v]', { v: value })
      const proc = Bun.spawn(['bash', '-c', cmd], { cwd: dir, stdout: 'pipe' })
      const out = await new Response(proc.stdout).text()
      await proc.exited
      expect(out).toBe(value)
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
  })
  test('\\[word] is a literal [word] for bash (arrays), beside a real placeholder', async () => {
    const cmd = renderCommand('a=(zero one two); i=2; echo "${a\\[i]}" ${a\\[1]} [v]', { v: 'x y' })
    expect(cmd).toBe(`a=(zero one two); i=2; echo "\${a[i]}" \${a[1]} 'x y'`)
    const proc = Bun.spawn(['bash', '-c', cmd], { stdout: 'pipe' })
    expect(await new Response(proc.stdout).text()).toBe('two one x y\n')
    expect(quotedPlaceholders("echo '\\[x]'")).toEqual([])
  })
  test('a quote inside a value is closed, escaped and reopened', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
  })
  test('placeholders written inside quotes are found (the loader refuses them)', () => {
    expect(quotedPlaceholders('echo "Hello [name]" [x]')).toEqual(['name'])
    expect(quotedPlaceholders("echo 'a [b]'")).toEqual(['b'])
    expect(quotedPlaceholders('echo \\"[a]\\" [ -f x ]')).toEqual([])
  })
})
