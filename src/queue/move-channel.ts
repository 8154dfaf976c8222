// A channel Slack gave a new id (channel_id_changed): the bot's records follow it, so `status`,
// `logs` and Metaflow verbs typed in an old run thread still find their run, and reports still
// waiting in the outbox go to the channel under its new id.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { metaflowThreads, outbox, runs } from './schema.ts'

export interface Moved {
  runs: number
  threads: number
  outbox: number
}

export function moveChannel(db: Db, from: string, to: string): Moved {
  return db.transaction((tx) => {
    const movedRuns = tx
      .update(runs)
      .set({ channel: to })
      .where(eq(runs.channel, from))
      .returning({ id: runs.id })
      .all()
    // A thread already known under the new id (its events beat this one) keeps its own state;
    // its twin under the old id is dropped, or it would watch for a channel id that is gone.
    const movedThreads = tx
      .update(metaflowThreads)
      .set({ channel: to })
      .where(
        and(
          eq(metaflowThreads.channel, from),
          sql`NOT EXISTS (SELECT 1 FROM metaflow_threads AS m WHERE m.channel = ${to} AND m.thread_ts = metaflow_threads.thread_ts)`,
        ),
      )
      .returning({ id: metaflowThreads.id })
      .all()
    tx.delete(metaflowThreads).where(eq(metaflowThreads.channel, from)).run()
    const pending = (path: string) =>
      tx
        .update(outbox)
        .set({ payload: sql`json_set(payload, ${path}, ${to})` })
        .where(and(eq(outbox.state, 'pending'), sql`json_extract(payload, ${path}) = ${from}`))
        .returning({ id: outbox.id })
        .all()
    // Where a message goes, and the message an escalation links to.
    const movedOutbox = new Set(
      [...pending('$.channel'), ...pending('$.linkTo.channel')].map((r) => r.id),
    )
    return { runs: movedRuns.length, threads: movedThreads.length, outbox: movedOutbox.size }
  })
}
