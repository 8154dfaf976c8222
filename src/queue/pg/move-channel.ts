// A channel Slack gave a new id, on PostgreSQL: runs, threads and waiting reports follow it.
import { and, eq, sql } from 'drizzle-orm'
import type { Moved } from '../move-channel.ts'
import type { PgDb } from './db.ts'
import { metaflowThreads, outbox, runs } from './schema.ts'

export function moveChannel(db: PgDb, from: string, to: string): Promise<Moved> {
  return db.transaction(async (tx) => {
    const movedRuns = await tx
      .update(runs)
      .set({ channel: to })
      .where(eq(runs.channel, from))
      .returning({ id: runs.id })
    // A thread already known under the new id keeps its own state; its old-id twin is dropped.
    const movedThreads = await tx
      .update(metaflowThreads)
      .set({ channel: to })
      .where(
        and(
          eq(metaflowThreads.channel, from),
          sql`NOT EXISTS (SELECT 1 FROM metaflow_threads AS m WHERE m.channel = ${to} AND m.thread_ts = metaflow_threads.thread_ts)`,
        ),
      )
      .returning({ id: metaflowThreads.id })
    await tx.delete(metaflowThreads).where(eq(metaflowThreads.channel, from))
    const pending = (path: string) =>
      tx
        .update(outbox)
        .set({ payload: sql`jsonb_set(${outbox.payload}, ${path}::text[], to_jsonb(${to}::text))` })
        .where(
          and(eq(outbox.state, 'pending'), sql`${outbox.payload} #>> ${path}::text[] = ${from}`),
        )
        .returning({ id: outbox.id })
    // Where a message goes, and the message an escalation links to.
    const moved = [...(await pending('{channel}')), ...(await pending('{linkTo,channel}'))]
    return {
      runs: movedRuns.length,
      threads: movedThreads.length,
      outbox: new Set(moved.map((r) => r.id)).size,
    }
  })
}
