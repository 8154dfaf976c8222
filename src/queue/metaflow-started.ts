// Which ebmbot run started a Metaflow run, and which threads follow an ebmbot run or share a
// conversation: the lookups every Metaflow answer uses to agree on a run's status.
import { and, desc, eq, isNotNull, like, or } from 'drizzle-orm'
import type { Db } from './db.ts'
import { getRun } from './read.ts'
import { metaflowThreads, type MetaflowThread, type Run } from './schema.ts'

/** The ebmbot run that started `flow/runId` from chat, if the bot started it (any thread knows). */
export function ebmbotRunOf(db: Db, flow: string, runId: string): Run | undefined {
  const row = db
    .select({ id: metaflowThreads.ebmbotRunId })
    .from(metaflowThreads)
    .where(
      and(
        eq(metaflowThreads.flow, flow),
        eq(metaflowThreads.runId, runId),
        isNotNull(metaflowThreads.ebmbotRunId),
      ),
    )
    .orderBy(desc(metaflowThreads.id))
    .get()
  return row?.id != null ? getRun(db, row.id) : undefined
}

/** The threads following runs the ebmbot run started (normally one). */
export function threadsOfEbmbotRun(db: Db, ebmbotRunId: number): MetaflowThread[] {
  return db.select().from(metaflowThreads).where(eq(metaflowThreads.ebmbotRunId, ebmbotRunId)).all()
}

/**
 * Rows of one conversation: the one it follows now (`thread_ts` the reply spot) and the runs it
 * followed before and still watches (`thread_ts` `<reply spot>#<row id>`, see parkThread).
 */
export function threadsOfConversation(db: Db, channel: string, threadTs: string): MetaflowThread[] {
  return db
    .select()
    .from(metaflowThreads)
    .where(
      and(
        eq(metaflowThreads.channel, channel),
        or(eq(metaflowThreads.threadTs, threadTs), like(metaflowThreads.threadTs, `${threadTs}#%`)),
      ),
    )
    .orderBy(metaflowThreads.id)
    .all()
}

/**
 * Moves a row aside so the conversation can follow a new run while this one keeps its watch and
 * its ebmbot run: its key becomes `<reply spot>#<row id>` (Slack timestamps never hold `#`), and
 * its notices still go to the reply spot. Undefined when the row is gone.
 */
export function parkThread(db: Db, now: number, row: MetaflowThread): MetaflowThread | undefined {
  return db
    .update(metaflowThreads)
    .set({ threadTs: `${row.threadTs}#${row.id}`, updatedAt: now })
    .where(and(eq(metaflowThreads.id, row.id), eq(metaflowThreads.threadTs, row.threadTs)))
    .returning()
    .get()
}

/** The reply spot of a row, parked or not. */
export const replySpotOf = (row: Pick<MetaflowThread, 'threadTs'>): string =>
  row.threadTs.split('#')[0]!
