// A channel Slack gives a new id, on a real SQLite file: runs (finished ones too, for their
// threads), Metaflow threads and reports still waiting follow it; what was sent stays as it was.
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import { followInThread, getThread } from '../src/queue/metaflow-threads.ts'
import { moveChannel } from '../src/queue/move-channel.ts'
import { enqueueOutgoing, getOutgoing, markSent } from '../src/queue/outbox.ts'
import { getRun } from '../src/queue/read.ts'
import { scheduleRequest, type RequestInput } from '../src/queue/schedule.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

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

test('runs, threads and waiting reports follow the new id; sent messages and other channels do not move', () => {
  const { db } = openQueue(join(tempDir(), 'q.db'))
  const here = scheduleRequest(db, T0, req('op_deploy', 'COLD')).run
  const elsewhere = scheduleRequest(db, T0, req('op_build', 'COTHER')).run
  const follow = {
    flow: 'HelloFlow',
    runId: '7',
    watching: true,
    lastStatus: null,
    ebmbotRunId: null,
  }
  followInThread(db, T0, { door: 'slack', channel: 'COLD', threadTs: '5.0' }, follow)
  // Events under the new id may come first: that thread keeps its own state.
  followInThread(db, T0, { door: 'slack', channel: 'COLD', threadTs: '6.0' }, follow)
  followInThread(
    db,
    T0,
    { door: 'slack', channel: 'CNEW', threadTs: '6.0' },
    { ...follow, runId: '8' },
  )
  const [report, escalation, sent, other] = enqueueOutgoing(db, T0, 'slack', [
    { kind: 'message', purpose: 'report', channel: 'COLD', threadTs: '1.0', text: 'done' },
    {
      kind: 'message',
      purpose: 'escalation',
      channel: 'tech-support',
      text: 'failed',
      linkTo: { channel: 'COLD', ts: '1.0' },
    },
    { kind: 'message', purpose: 'reply', channel: 'COLD', threadTs: '1.0', text: 'already sent' },
    { kind: 'message', purpose: 'reply', channel: 'COTHER', text: 'not here' },
  ])
  markSent(db, T0, sent!.id, { ts: '2.0' })

  expect(moveChannel(db, 'COLD', 'CNEW')).toEqual({ runs: 1, threads: 1, outbox: 2 })

  expect(getRun(db, here.id)?.channel).toBe('CNEW')
  expect(getRun(db, elsewhere.id)?.channel).toBe('COTHER')
  expect(getThread(db, 'CNEW', '5.0')?.runId).toBe('7')
  expect(getThread(db, 'CNEW', '6.0')?.runId).toBe('8')
  expect(getThread(db, 'COLD', '6.0')).toBeUndefined()
  expect(getOutgoing(db, report!.id)?.payload).toMatchObject({
    channel: 'CNEW',
    threadTs: '1.0',
    text: 'done',
  })
  expect(getOutgoing(db, escalation!.id)?.payload).toMatchObject({
    channel: 'tech-support',
    linkTo: { channel: 'CNEW', ts: '1.0' },
  })
  expect(getOutgoing(db, sent!.id)?.payload).toMatchObject({ channel: 'COLD' })
  expect(getOutgoing(db, other!.id)?.payload).toMatchObject({ channel: 'COTHER' })
  // Moving again finds nothing left under the old id.
  expect(moveChannel(db, 'COLD', 'CNEW')).toEqual({ runs: 0, threads: 0, outbox: 0 })
})
