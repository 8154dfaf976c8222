// A newer request of a job type replaces the pending one, which keeps its run number: whoever
// asked for the pending one is told in their own thread, by whom and with what, and no advice
// names a run number that can change hands (`remove job id N` could drop someone else's request).
import { afterAll, afterEach, expect, test } from 'bun:test'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    description: Test
    jobs:
      deploy: {run: 'sleep 2; echo deployed [env]', report_stdout: true}
    commands:
      - {pattern: "deploy [env]", job: deploy, help: deploy}
`

test("U2's pending request replaced by U1's: U2 is told in U2's thread, by whom and with what", async () => {
  h = await startHarness(YAML)
  const first = await h.say('t deploy one', { user: 'U0', threadTs: 'T0', messageTs: 'T0' })
  await h.waitForState(first.runId!, ['running'])
  const u2 = await h.say('t deploy two', { user: 'U2', threadTs: 'T2', messageTs: 'T2' })
  // The advice names no run number that someone else's request could take over.
  expect(u2.replies.join('\n')).toContain('will start after it')
  expect(u2.replies.join('\n')).not.toContain('remove job id')
  const u1 = await h.say('t deploy three', { user: 'U1', threadTs: 'T1', messageTs: 'T1' })
  expect(u1.runId).toBe(u2.runId) // the pending row keeps its number and place
  const notice = await waitUntil('the notice in U2’s thread', () =>
    h!.messages().find((m) => m.threadTs === 'T2' && m.text.includes('was replaced')),
  )
  expect(notice.text).toBe(
    `:warning: Your pending \`t_deploy\` request (run ${u2.runId}) was replaced by <@U1>'s request with env="three": run ${u2.runId} now runs that request and reports there. Ask again if you still need yours.`,
  )
  // The same person asking again in the same thread is not told about their own request.
  await h.say('t deploy four', { user: 'U1', threadTs: 'T1', messageTs: 'T1b' })
  await Bun.sleep(200)
  expect(
    h.messages().filter((m) => m.threadTs === 'T1' && m.text.includes('was replaced')),
  ).toEqual([])
})
