// A channel Slack gives a new id, on both backends: runs (finished ones too, for their threads),
// Metaflow threads and reports still waiting follow it; what was sent stays as it was.
import { afterAll, describe, expect, test } from 'bun:test'
import type { RequestInput } from '../src/queue/schedule.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const req = (jobType: string, channel: string): RequestInput => {
  const [namespace, job] = jobType.split('_') as [string, string]
  return {
    namespace,
    job,
    jobType,
    door: 'slack',
    requestedBy: 'U1',
    channel,
    threadTs: '1.0',
    requestText: jobType,
    params: {},
    command: 'true',
    delaySeconds: 0,
  }
}

for (const backend of backends)
  describe(backend.name, () => {
    test('runs, threads and waiting reports follow the new id; sent messages and other channels do not move', async () => {
      const q = await backend.open()
      const here = (await q.scheduleRequest(T0, req('op_deploy', 'COLD'))).run
      const elsewhere = (await q.scheduleRequest(T0, req('op_build', 'COTHER'))).run
      const follow = {
        flow: 'HelloFlow',
        runId: '7',
        watching: true,
        lastStatus: null,
        ebmbotRunId: null,
      }
      await q.followInThread(T0, { door: 'slack', channel: 'COLD', threadTs: '5.0' }, follow)
      // Events under the new id may come first: that thread keeps its own state.
      await q.followInThread(T0, { door: 'slack', channel: 'COLD', threadTs: '6.0' }, follow)
      await q.followInThread(
        T0,
        { door: 'slack', channel: 'CNEW', threadTs: '6.0' },
        { ...follow, runId: '8' },
      )
      const [report, escalation, sent, other] = await q.enqueueOutgoing(T0, 'slack', [
        { kind: 'message', purpose: 'report', channel: 'COLD', threadTs: '1.0', text: 'done' },
        {
          kind: 'message',
          purpose: 'escalation',
          channel: 'tech-support',
          text: 'failed',
          linkTo: { channel: 'COLD', ts: '1.0' },
        },
        {
          kind: 'message',
          purpose: 'reply',
          channel: 'COLD',
          threadTs: '1.0',
          text: 'already sent',
        },
        { kind: 'message', purpose: 'reply', channel: 'COTHER', text: 'not here' },
      ])
      await q.markSent(T0, sent!.id, { ts: '2.0' })

      expect(await q.moveChannel('COLD', 'CNEW')).toEqual({ runs: 1, threads: 1, outbox: 2 })

      expect((await q.getRun(here.id))?.channel).toBe('CNEW')
      expect((await q.getRun(elsewhere.id))?.channel).toBe('COTHER')
      expect((await q.getThread('CNEW', '5.0'))?.runId).toBe('7')
      expect((await q.getThread('CNEW', '6.0'))?.runId).toBe('8')
      expect(await q.getThread('COLD', '6.0')).toBeUndefined()
      expect((await q.getOutgoing(report!.id))?.payload).toMatchObject({
        channel: 'CNEW',
        threadTs: '1.0',
        text: 'done',
      })
      expect((await q.getOutgoing(escalation!.id))?.payload).toMatchObject({
        channel: 'tech-support',
        linkTo: { channel: 'CNEW', ts: '1.0' },
      })
      expect((await q.getOutgoing(sent!.id))?.payload).toMatchObject({ channel: 'COLD' })
      expect((await q.getOutgoing(other!.id))?.payload).toMatchObject({ channel: 'COTHER' })
      // Moving again finds nothing left under the old id.
      expect(await q.moveChannel('COLD', 'CNEW')).toEqual({ runs: 0, threads: 0, outbox: 0 })
      q.close()
    })
  })
