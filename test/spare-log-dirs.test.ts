// Run log folders made ahead: a launch renames a spare into place (its files empty and private,
// as one made on the spot), the next spare is made after it, and spares never outlive the
// process that made them: real folders, and a real dispatcher running real jobs.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs'
import { join } from 'node:path'
import { SPARE_DIR, SpareLogDirs } from '../src/dispatcher/spare-log-dirs.ts'
import { type Harness, startHarness } from './support/harness.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

const mode = (path: string) => statSync(path).mode & 0o777
const count = (name: string) => Number(name.split('-').at(-1))

describe('spares', () => {
  test('a taken spare is the run folder: 0700, with empty 0600 stdout and stderr', async () => {
    const logs = join(tempDir(), 'logs')
    const spares = new SpareLogDirs(logs, 1)
    const dest = join(logs, 'ns_job', 'stamp_1')
    expect(spares.take(dest)).toBe(false) // none made yet: the launch makes its own
    await spares.refill()
    const [made] = readdirSync(join(logs, SPARE_DIR))
    const inode = statSync(join(logs, SPARE_DIR, made!)).ino
    expect(spares.take(dest)).toBe(true)
    expect(statSync(dest).ino).toBe(inode)
    expect(mode(logs)).toBe(0o700)
    expect(mode(dest)).toBe(0o700)
    for (const f of ['stdout', 'stderr']) {
      expect(mode(join(dest, f))).toBe(0o600)
      expect(readFileSync(join(dest, f), 'utf8')).toBe('')
    }
    expect(readdirSync(join(logs, SPARE_DIR))).toEqual([])
    expect(spares.take(join(logs, 'ns_job', 'stamp_2'))).toBe(false) // one spare, one take
  })

  test('a spare that waited for weeks is dated by the run that takes it, so keep_logs counts from the run', async () => {
    const logs = join(tempDir(), 'logs')
    const spares = new SpareLogDirs(logs, 1)
    await spares.refill()
    const [made] = readdirSync(join(logs, SPARE_DIR))
    const spare = join(logs, SPARE_DIR, made!)
    const weeksAgo = new Date(Date.now() - 30 * 86_400_000)
    for (const p of [join(spare, 'stdout'), join(spare, 'stderr'), spare])
      utimesSync(p, weeksAgo, weeksAgo)
    const dest = join(logs, 'ns_job', 'stamp_1')
    expect(spares.take(dest)).toBe(true)
    await waitUntil(
      'the taken folder dated now',
      () => statSync(dest).mtimeMs > Date.now() - 60_000,
      2000,
    )
  })

  test('a job type folder removed meanwhile is made again', async () => {
    const logs = join(tempDir(), 'logs')
    const spares = new SpareLogDirs(logs)
    await spares.refill()
    expect(spares.take(join(logs, 'ns_job', 'a_1'))).toBe(true)
    rmSync(join(logs, 'ns_job'), { recursive: true })
    await spares.refill()
    expect(spares.take(join(logs, 'ns_job', 'a_2'))).toBe(true)
    expect(existsSync(join(logs, 'ns_job', 'a_2', 'stdout'))).toBe(true)
  })

  test('a spare removed by someone else is no spare: take says so and the launch makes its own', async () => {
    const logs = join(tempDir(), 'logs')
    const spares = new SpareLogDirs(logs)
    await spares.refill()
    rmSync(join(logs, SPARE_DIR), { recursive: true })
    expect(spares.take(join(logs, 'ns_job', 'a_1'))).toBe(false)
    expect(existsSync(join(logs, 'ns_job', 'a_1'))).toBe(false)
  })

  test('spares of a process that is gone are removed; a living one keeps its own', async () => {
    const logs = join(tempDir(), 'logs')
    const mine = new SpareLogDirs(logs)
    await mine.refill()
    // A pid no process has: Linux pids stay below 2^22.
    mkdirSync(join(logs, SPARE_DIR, '4194999-deadbeef-1'), { recursive: true })
    new SpareLogDirs(logs).clearStale()
    const left = readdirSync(join(logs, SPARE_DIR))
    expect(left).toHaveLength(2) // two wait by default
    expect(left.every((name) => name.startsWith(`${process.pid}-`))).toBe(true)
    await mine.discard()
    expect(readdirSync(join(logs, SPARE_DIR))).toEqual([])
  })
})

describe('the dispatcher', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  const YAML = `
settings:
  poll_interval: 1s
namespaces:
  t:
    jobs:
      hello:
        run: echo Hello, [name]
    commands:
      - {pattern: "hello [name]", job: hello}
`

  test('the second run gets the folder made after the first, and its output lands there', async () => {
    h = await startHarness(YAML)
    const pool = join(h.ctx.logsDir, SPARE_DIR)
    const first = await h.say('t hello one')
    await h.waitForState(first.runId!, ['succeeded'])
    await waitUntil(
      'spares made after the first launch',
      () => existsSync(pool) && readdirSync(pool).length === 2,
    )
    // The oldest is taken first: the lowest count at the end of the name.
    const [oldest] = readdirSync(pool).sort((a, b) => count(a) - count(b))
    const inode = statSync(join(pool, oldest!)).ino
    const second = await h.say('t hello two')
    const run = await h.waitForState(second.runId!, ['succeeded'])
    expect(statSync(join(run.stdoutPath!, '..')).ino).toBe(inode)
    expect(readFileSync(run.stdoutPath!, 'utf8')).toBe('Hello, two\n')
    expect(mode(run.stdoutPath!)).toBe(0o600)
    // Stopped, the bot leaves no spare behind.
    await h.stop()
    h = undefined
    expect(readdirSync(pool)).toEqual([])
  })
})
