// A delivery is taken in the same transaction that stores its request: if storing fails, the
// delivery is not taken, so the redelivery runs it (once); a duplicate stores nothing.
import { afterAll, afterEach, expect, test } from 'bun:test'
import type { MessageIn } from '../src/app/door.ts'
import { handleMessage } from '../src/app/handle-message.ts'
import type { QueueOps } from '../src/queue/queue.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
namespaces:
  t:
    jobs:
      hello: {run: echo hi}
    commands:
      - {pattern: hello, job: hello}
`
let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const msg: MessageIn = {
  door: 'slack',
  text: 't hello',
  user: 'U1',
  isGuest: false,
  isDirect: false,
  channel: 'C1',
  threadTs: '1.1',
  messageTs: '1.1',
}
const count = (table: string) =>
  (sqliteOf(h.ctx).sqlite.query(`select count(*) as n from ${table}`).get() as { n: number }).n

test('a failure while storing the request leaves the delivery untaken; the redelivery runs once', async () => {
  h = startHarness(YAML)
  const claim = (q: QueueOps) => q.markSeen(Date.now(), 'slack-event', 'Ev1')
  sqliteOf(h.ctx).sqlite.run(
    `CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
  )
  await expect(handleMessage(h.ctx, msg, {}, { claim })).rejects.toThrow('disk I/O error')
  expect(count('seen')).toBe(0)
  expect(count('outbox')).toBe(0)

  sqliteOf(h.ctx).sqlite.run('DROP TRIGGER refuse')
  const again = await handleMessage(h.ctx, msg, {}, { claim })
  expect(again).toMatchObject({ kind: 'schedule', accepted: true })
  const dup = await handleMessage(h.ctx, msg, {}, { claim })
  expect(dup.kind).toBe('duplicate')
  expect(count('runs')).toBe(1)
  // One acknowledgement reaction, and nothing at all for the duplicate.
  const said = sqliteOf(h.ctx)
    .sqlite.query(
      `select json_extract(payload, '$.purpose') as p from outbox where json_extract(payload, '$.purpose') in ('ack', 'reply')`,
    )
    .all()
  expect(said).toEqual([{ p: 'ack' }])
})
