// kill -9 the bot mid-job, restart it: the run is recorded lost and reported once, its surviving
// process group is killed, and what was queued is still queued.
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { groupAlive } from '../src/dispatcher/proc.ts'
import { botEnv, runBot, startBot } from './support/bot.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

type Row = { id: number; state: string; pid: number | null; job_type: string }

test('a run going when the bot is killed is reported lost after restart; the queue is intact', async () => {
  const state = tempDir()
  const env = botEnv(state)
  const bot = startBot(['chat'], { env })
  bot.send('demo sleep 120')
  const db = () => new Database(join(state, 'ebmbot.db'), { readonly: true })
  const rows = (): Row[] => {
    if (!Bun.file(join(state, 'ebmbot.db')).size) return [] // not created yet
    const d = db()
    try {
      return d.query('select id, state, pid, job_type from runs order by id').all() as Row[]
    } catch {
      return [] // the bot has created the file but not yet migrated it
    } finally {
      d.close()
    }
  }
  const running = await waitUntil('the sleep to start', () =>
    rows().find((r) => r.state === 'running' && r.pid),
  )
  bot.send('demo nap 5') // same type, due in a minute: must survive as pending
  await waitUntil('the nap to be queued', () =>
    rows().find((r) => r.id === 2 && r.state === 'pending'),
  )

  bot.proc.kill('SIGKILL')
  await bot.proc.exited
  // The job is in its own process group, so it outlives the bot.
  expect(groupAlive(running.pid!)).toBe(true)
  expect(rows().find((r) => r.id === running.id)?.state).toBe('running')

  const restart = await runBot(['chat'], { env, input: '' })
  expect(restart.code).toBe(0)
  expect(restart.stdout).toContain(
    `The bot restarted while \`demo_sleep\` (run ${running.id}) was running; it did not finish.`,
  )
  expect(groupAlive(running.pid!)).toBe(false)
  const after = rows()
  expect(after.find((r) => r.id === running.id)?.state).toBe('lost')
  expect(after.find((r) => r.id === 2)?.state).toBe('pending')

  // Reported exactly once: another restart says nothing more about it.
  const again = await runBot(['chat'], { env, input: 'status\n' })
  expect(again.stdout).not.toContain('The bot restarted while')
  expect(again.stdout).toMatch(/1 job scheduled:\n• \[2\] `demo_sleep`/)
}, 30_000)
