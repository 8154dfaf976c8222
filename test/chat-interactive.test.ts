// Local chat at a real terminal (a pseudo-terminal made by util-linux `script`): leaving with
// `quit` stops like the service does, and Ctrl-C while it waits stops the running job at once.
import { afterAll, expect, test } from 'bun:test'
import { BUN, botEnv, killAfterEach, MAIN, spawnCollected } from './support/bot.ts'
import { runs } from './support/state-db.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

function terminalChat() {
  const state = tempDir()
  // `exec`: the bot is script's child and alone gets the terminal's Ctrl-C (a shell in between would die of it).
  const chat = killLater(
    spawnCollected(['script', '-qfec', `exec '${BUN}' '${MAIN}' chat`, '/dev/null'], {
      env: { ...botEnv(state), TERM: 'dumb' },
    }),
  )
  const seen = (text: string) =>
    waitUntil(`"${text}" on the terminal`, () => chat.out.stdout.includes(text), 15_000)
  return { state, chat, seen }
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1

test('quit: queued jobs stay for the next session, the running one finishes and reports once', async () => {
  const { state, chat, seen } = terminalChat()
  await seen('Type `help` to start')
  chat.send('demo sleep 3') // still running when `demo nap` and `quit` arrive
  await seen('Starting `demo_sleep` (run 1)')
  chat.send('demo nap 0')
  await seen('this request (run 2) will start after it')
  chat.send('quit')
  expect(await chat.proc.exited).toBe(0)
  const out = chat.out.stdout
  expect(out).toContain('(run 2 stays queued for the next session)')
  expect(out).toContain('(waiting up to 30s for 1 running job to finish; Ctrl-C stops it now)')
  // Printed once: a report after the prompt is gone is not retried as if it had failed.
  expect(count(out, '`demo_sleep` succeeded (run 1')).toBe(1)
  expect(out).not.toContain('outbox.retry')
  expect(runs(state).map((r) => [r.id, r.state])).toEqual([
    [1, 'succeeded'],
    [2, 'pending'],
  ])
})

test('Ctrl-C while quit waits stops the running job now, records it lost and says so', async () => {
  const { state, chat, seen } = terminalChat()
  await seen('Type `help` to start')
  chat.send('demo sleep 30')
  await seen('Starting `demo_sleep` (run 1)')
  chat.send('quit')
  await seen('Ctrl-C stops it now')
  const t = Date.now()
  chat.proc.stdin.write('\x03')
  chat.proc.stdin.flush()
  expect(await chat.proc.exited).toBe(0)
  expect(Date.now() - t).toBeLessThan(10_000) // kill_grace (5s) at most; never the 30 s job or grace
  expect(chat.out.stdout).toContain(
    'The bot was stopped while `demo_sleep` (run 1) was running; it did not finish.',
  )
  expect(runs(state).map((r) => [r.id, r.state])).toEqual([[1, 'lost']])
})
