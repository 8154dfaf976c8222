// The deliverer's look at a door's outbox, each channel's oldest pending message, on a real
// SQLite file: right with many channels and a deep backlog in one, and done by skipping from
// channel to channel on outbox_channel_idx. A scan of every pending row (its JSON parsed for the
// channel) ran once per message sent, so a burst of a thousand reactions cost O(n²).
import { afterAll, afterEach, beforeEach, expect, test } from 'bun:test'
import type { SQLQueryBindings } from 'bun:sqlite'
import { fillPlaceholders } from 'drizzle-orm'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import { outboxHeadsSql } from '../src/queue/outbox.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)
const T0 = Date.UTC(2026, 11, 2)
let q: SqliteQueue
beforeEach(() => {
  q = openQueue(join(tempDir(), 'q.db'))
})
afterEach(() => q.close())

const m = (channel: string, text: string) => ({ kind: 'message', channel, text })

test('each channel shows its oldest pending message, whatever the backlog in another', async () => {
  const flood = await q.enqueueOutgoing(
    T0,
    'slack',
    Array.from({ length: 300 }, (_, i) => m('CFLOOD', `f${i}`)),
  )
  const others = await q.enqueueOutgoing(T0, 'slack', [m('CB', 'b1'), m('CA', 'a1'), m('CB', 'b2')])
  await q.enqueueOutgoing(T0, 'local', [m('CA', 'elsewhere')])
  // Rows with no proper channel (none are written so) are still tried, so they get settled.
  const [odd] = await q.enqueueOutgoing(T0, 'slack', [{ kind: 'message', text: 'odd' } as never])
  const heads = async () =>
    (await q.outboxHeads('slack')).map((r) => (r.payload as { text: string }).text)
  expect(await heads()).toEqual(['f0', 'b1', 'a1', 'odd'])
  await q.markSent(T0 + 1, odd!.id, null)
  expect(await heads()).toEqual(['f0', 'b1', 'a1'])
  for (const r of flood.slice(0, 299)) await q.markSent(T0 + 1, r.id, null)
  await q.markSent(T0 + 1, others[0]!.id, null)
  expect(await heads()).toEqual(['f299', 'a1', 'b2'])
  await q.markSent(T0 + 2, flood[299]!.id, null)
  expect(await heads()).toEqual(['a1', 'b2'])
})

test('the heads are found by channel on outbox_channel_idx, not by reading every pending row', () => {
  // The plan of the very statement outboxHeads prepares, so a change to it is checked too.
  const { sql, params } = outboxHeadsSql(q.db)
  const values = fillPlaceholders(params, { door: 'slack', limit: 500 }) as SQLQueryBindings[]
  const plan = q.sqlite.query(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]
  const text = plan.map((p) => p.detail).join('\n')
  // The next channel after the last one, found in the index.
  expect(text).toContain('USING INDEX outbox_channel_idx (door=? AND <expr>>?)')
  expect(text).not.toContain('GROUP BY')
  expect(text).not.toContain('outbox_pending_idx') // every pending row, in id order
  expect(text).not.toMatch(/^SCAN outbox\b/m)
})
