// The single binary: `bun run build` makes dist/ebmbot, which runs from an empty folder (the
// migrations and the example config are inside it).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, botEnv, runBot } from './support/bot.ts'
import { cleanupTemp, REPO, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

let binary: string
beforeAll(async () => {
  const build = Bun.spawn([BUN, 'run', 'build'], { cwd: REPO, stdout: 'pipe', stderr: 'pipe' })
  const [code, err] = await Promise.all([build.exited, new Response(build.stderr).text()])
  if (code !== 0) throw new Error(`bun run build failed: ${err}`)
  // Run a copy far from the repo, so nothing beside it can help it.
  binary = join(tempDir(), 'ebmbot')
  copyFileSync(join(REPO, 'dist', 'ebmbot'), binary)
}, 120_000)

describe('dist/ebmbot', () => {
  test('piped chat on the embedded example prints the greeting', async () => {
    const dir = tempDir()
    const r = await runBot(['chat'], {
      cmd: [binary],
      cwd: dir,
      env: { PATH: process.env.PATH!, HOME: dir },
      input: 'demo hello world\n',
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Hello, world!')
    // State defaults to ./state under the current folder.
    expect(existsSync(join(dir, 'state', 'ebmbot.db'))).toBe(true)
  })
  test('config check works on the embedded example and on a file', async () => {
    const dir = tempDir()
    const builtIn = await runBot(['config', 'check'], { cmd: [binary], cwd: dir, env: botEnv(dir) })
    expect(builtIn.code).toBe(0)
    expect(builtIn.stdout).toContain('<built-in example: examples/ebmbot.yaml>: OK')
    const bad = writeConfig(dir, 'namespaces:\n  demo:\n    jobz: {}\n')
    const r = await runBot(['config', 'check', '--config', bad], {
      cmd: [binary],
      cwd: dir,
      env: botEnv(dir),
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${bad}:3: namespaces.demo.jobz: unknown key`)
  })
  test('config import converts a Python ebmbot config with the host python3, and the result loads', async () => {
    const dir = tempDir()
    const checkout = join(REPO, 'test', 'fixtures', 'python-ebmbot')
    const r = await runBot(
      [
        'config',
        'import',
        join(checkout, 'ebmbot', 'job_configs.py'),
        '--workspace',
        join(checkout, 'workspace'),
      ],
      { cmd: [binary], cwd: dir, env: botEnv(dir) },
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('evaluated with')
    const check = await runBot(['config', 'check', '--config', writeConfig(dir, r.stdout)], {
      cmd: [binary],
      cwd: dir,
      env: botEnv(dir),
    })
    expect(check.code).toBe(0)
    expect(check.stdout).toContain('namespace deploy-site (restricted): 1 jobs, 4 commands')
  })
  test('migrate creates the database from the embedded migrations', async () => {
    const dir = tempDir()
    const r = await runBot(['migrate'], { cmd: [binary], cwd: dir, env: botEnv(join(dir, 'st')) })
    expect(r.code).toBe(0)
    expect(existsSync(join(dir, 'st', 'ebmbot.db'))).toBe(true)
  })
})
