// A job's first process joins its run's cgroup before the command's first line can fork, and
// without settings.run_as that process is the job's own bash: real bash processes, with a plain
// file standing in for the cgroup's cgroup.procs.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { jobArgv } from '../src/dispatcher/job-argv.ts'
import { shellQuote } from '../src/syntax/template.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

async function run(command: string, procsFile: string | null, cwd: string) {
  const proc = Bun.spawn(jobArgv(command, procsFile), { cwd, stdout: 'pipe', stderr: 'pipe' })
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  return { pid: proc.pid, code, out, err }
}

describe('the start of a job without run_as', () => {
  test('one process: the leader is bash, and its pid is in the procs file before the command runs', async () => {
    const dir = tempDir()
    // A name the script must keep as one word, quote and all.
    const cage = join(dir, `it's a "cage" $HOME`)
    mkdirSync(cage)
    const procs = join(cage, 'cgroup.procs')
    const r = await run(`cat ${shellQuote(procs)} > seen; echo $$ > self`, procs, dir)
    expect(r.code).toBe(0)
    // No shell before bash: one exec from the spawn to the job's first command.
    expect(jobArgv('true', procs).slice(0, 2)).toEqual(['bash', '-c'])
    expect(readFileSync(join(dir, 'seen'), 'utf8').trim()).toBe(String(r.pid))
    expect(readFileSync(join(dir, 'self'), 'utf8').trim()).toBe(String(r.pid))
  })

  test('a procs file it cannot write stops the job before its first command, with exit 125', async () => {
    const dir = tempDir()
    const r = await run('touch ran', join(dir, 'no-such-cgroup', 'cgroup.procs'), dir)
    expect(r.code).toBe(125)
    expect(existsSync(join(dir, 'ran'))).toBe(false)
  })

  test('a hostile procs path stays data: the file of that very name gets the pid', async () => {
    const dir = tempDir()
    const hostile = join(dir, `x'; touch pwned; '`)
    const r = await run('true', hostile, dir)
    expect(r.code).toBe(0)
    expect(readFileSync(hostile, 'utf8').trim()).toBe(String(r.pid))
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
  })

  test("bash's messages name the command's own line numbers", async () => {
    const dir = tempDir()
    const r = await run('true\necho second )', join(dir, 'procs'), dir)
    expect(r.code).not.toBe(0)
    expect(r.err).toContain('line 2:')
  })

  test('without a cgroup the command runs as it is', async () => {
    const dir = tempDir()
    const r = await run('echo $$; echo "$0"', null, dir)
    expect(r.code).toBe(0)
    expect(r.out).toBe(`${r.pid}\nbash\n`)
  })
})
