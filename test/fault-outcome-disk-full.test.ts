// The database's disk fills up while a job runs, so its outcome cannot be written when it ends:
// the bot keeps the outcome and retries, /healthz says 503 meanwhile, and once there is room
// again the run is recorded with its real outcome (not "lost"). The state folder is a 4 MiB tmpfs
// in a private mount namespace (needs root), so the bot's own log is what the test reads.
import { afterAll, expect, test } from 'bun:test'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { botEnv, killAfterEach } from './support/bot.ts'
import { freePort } from './support/github.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { canMountTmpfs, startWrappedBot } from './support/wrapped-bot.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

test.skipIf(!canMountTmpfs())(
  'a full disk when a run ends: the outcome is kept and recorded once there is room; /healthz is 503 meanwhile',
  async () => {
    const state = tempDir()
    const outside = tempDir() // not on the tmpfs: the config and the test's signals
    const filler = join(state, 'filler')
    const freeUp = join(outside, 'free-up')
    const config = join(outside, 'ebmbot.yaml')
    writeFileSync(
      config,
      `settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  k:
    workdir: ${outside}
    jobs:
      fill: {run: "dd if=/dev/zero of=${filler} bs=64k 2>/dev/null; echo filled > done.txt; sleep 0.5"}
    commands:
      - {pattern: fill, job: fill}
`,
    )
    const port = await freePort()
    // The tmpfs goes over the state folder before the bot starts; a watcher in the same namespace
    // deletes the filler when the test says so (the test cannot see this mount).
    const script = `mount -t tmpfs -o size=4m tmpfs "$EBMBOT_STATE_DIR" || exit 99
( while [ ! -e ${freeUp} ]; do sleep 0.1; done; rm -f ${filler} ) &`
    const bot = killLater(
      startWrappedBot(
        `${script}
# The request is waiting before the bot starts: the dispatcher takes it at once.
"$1" -e 'import { openQueue } from "${join(import.meta.dir, '../src/queue/db.ts')}"
const q = openQueue(process.env.EBMBOT_STATE_DIR + "/ebmbot.db")
await q.scheduleRequest(Date.now(), { namespace: "k", job: "fill", jobType: "k_fill", door: "local", requestedBy: "local", channel: "local", requestText: "k fill", params: {}, command: "dd if=/dev/zero of=${filler} bs=64k 2>/dev/null; echo filled > done.txt; sleep 0.5", delaySeconds: 0 })
q.close()' || exit 98`,
        ['serve', '--config', config],
        { env: botEnv(state, { WEBHOOK_PORT: String(port) }), wrapper: ['unshare', '-m'] },
      ),
    )
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      return { status: res.status, body: (await res.json()) as { checks: Record<string, unknown> } }
    }
    await waitUntil('the job to fill the disk', () => existsSync(join(outside, 'done.txt')), 20_000)
    // Its outcome cannot be written: health says so while the bot retries.
    const unhealthy = await waitUntil(
      'the waiting outcome in /healthz',
      async () => {
        if (bot.proc.exitCode !== null) throw new Error(`the bot exited:\n${bot.out.stderr}`)
        const h = await health().catch(() => undefined)
        return h?.status === 503 && h.body.checks.outcomes ? h : undefined
      },
      20_000,
    )
    expect(unhealthy.body.checks.outcomes).toMatchObject({
      ok: false,
      detail: { waiting_to_be_recorded: [1] },
    })
    expect(bot.out.stderr).toMatch(/event=run\.finish_retry run=1 /)
    writeFileSync(freeUp, '')
    // Room again: recorded with its real outcome, health back to 200.
    await waitUntil(
      'the outcome to be recorded',
      () => bot.out.stderr.includes('event=run.finished run=1'),
      20_000,
    )
    await waitUntil('health back to 200', async () => (await health()).status === 200, 10_000)
    bot.proc.kill('SIGTERM')
    await bot.proc.exited
    // The database lived on the tmpfs, gone with the namespace: the bot's own log is the record.
    expect(bot.out.stderr).toMatch(/event=run\.finished run=1 job=k_fill state=succeeded/)
    expect(bot.out.stderr).not.toMatch(/state=lost|event=run\.finish_failed/)
  },
  90_000,
)
