// Metaflow thread state on PostgreSQL. Transitions name the state they expect (compare-and-set),
// exactly as on SQLite (../metaflow-threads.ts says why).
import { and, desc, eq, isNotNull, isNull, like, or, sql } from 'drizzle-orm'
import type { Follow, ThreadKey } from '../metaflow-threads.ts'
import type { MetaflowThread, MetaflowThreadStatus } from '../schema.ts'
import { first, type PgDb } from './db.ts'
import { getRun } from './read.ts'
import { metaflowThreads as t } from './schema.ts'

export const getThread = (db: PgDb, channel: string, threadTs: string) =>
  first(
    db
      .select()
      .from(t)
      .where(and(eq(t.channel, channel), eq(t.threadTs, threadTs))),
  )

export const getThreadById = (db: PgDb, id: number) =>
  first(db.select().from(t).where(eq(t.id, id)))

export async function followInThread(
  db: PgDb,
  now: number,
  key: ThreadKey,
  f: Follow,
): Promise<MetaflowThread> {
  const fields = {
    door: key.door,
    flow: f.flow,
    runId: f.runId,
    watching: f.watching,
    lastStatus: f.lastStatus,
    ebmbotRunId: f.ebmbotRunId,
    updatedAt: now,
  }
  const [row] = await db
    .insert(t)
    .values({ ...fields, channel: key.channel, threadTs: key.threadTs, createdAt: now })
    .onConflictDoUpdate({ target: [t.channel, t.threadTs], set: fields })
    .returning()
  return row!
}

export const releaseEbmbotRun = async (
  db: PgDb,
  now: number,
  ebmbotRunId: number,
  exceptId?: number,
) =>
  (
    await db
      .update(t)
      .set({ ebmbotRunId: null, watching: false, updatedAt: now })
      .where(
        and(
          eq(t.ebmbotRunId, ebmbotRunId),
          isNull(t.runId),
          exceptId === undefined ? undefined : sql`${t.id} <> ${exceptId}`,
        ),
      )
      .returning()
  ).length

export const setWatching = (
  db: PgDb,
  now: number,
  id: number,
  watching: boolean,
  lastStatus?: MetaflowThreadStatus | null,
) =>
  first(
    db
      .update(t)
      .set({ watching, updatedAt: now, ...(lastStatus !== undefined ? { lastStatus } : {}) })
      .where(eq(t.id, id))
      .returning(),
  )

const statusWas = (s: MetaflowThreadStatus | null) =>
  s === null ? isNull(t.lastStatus) : eq(t.lastStatus, s)

export const watchFrom = (db: PgDb, now: number, row: Pick<MetaflowThread, 'id' | 'lastStatus'>) =>
  first(
    db
      .update(t)
      .set({ watching: true, lastStatus: 'running', updatedAt: now })
      .where(and(eq(t.id, row.id), statusWas(row.lastStatus)))
      .returning(),
  )

export const recordRunId = (
  db: PgDb,
  now: number,
  id: number,
  ebmbotRunId: number,
  runId: string,
) =>
  first(
    db
      .update(t)
      .set({ runId, updatedAt: now })
      .where(and(eq(t.id, id), isNull(t.runId), eq(t.ebmbotRunId, ebmbotRunId)))
      .returning(),
  )

export const recordStatus = (
  db: PgDb,
  now: number,
  row: Pick<MetaflowThread, 'id' | 'flow' | 'runId' | 'lastStatus'>,
  to: MetaflowThreadStatus,
) =>
  first(
    db
      .update(t)
      .set({ lastStatus: to, updatedAt: now })
      .where(
        and(
          eq(t.id, row.id),
          eq(t.flow, row.flow),
          row.runId === null ? isNull(t.runId) : eq(t.runId, row.runId),
          statusWas(row.lastStatus),
        ),
      )
      .returning(),
  )

export function threadsToWatch(db: PgDb): Promise<MetaflowThread[]> {
  const open = or(isNull(t.lastStatus), eq(t.lastStatus, 'running'))
  return db
    .select()
    .from(t)
    .where(
      or(
        and(eq(t.watching, true), isNotNull(t.runId), open),
        and(isNull(t.runId), isNotNull(t.ebmbotRunId), isNull(t.lastStatus)),
      ),
    )
}

/** The ebmbot run that started `flow/runId` from chat, if the bot started it (any thread knows). */
export async function ebmbotRunOf(db: PgDb, flow: string, runId: string) {
  const row = await first(
    db
      .select({ id: t.ebmbotRunId })
      .from(t)
      .where(and(eq(t.flow, flow), eq(t.runId, runId), isNotNull(t.ebmbotRunId)))
      .orderBy(desc(t.id))
      .limit(1),
  )
  return row?.id != null ? getRun(db, row.id) : undefined
}

/** The threads following runs the ebmbot run started (normally one). */
export const threadsOfEbmbotRun = (db: PgDb, ebmbotRunId: number): Promise<MetaflowThread[]> =>
  db.select().from(t).where(eq(t.ebmbotRunId, ebmbotRunId))

/** Rows of one conversation: the one it follows now and the parked ones (see ../metaflow-started.ts). */
export const threadsOfConversation = (
  db: PgDb,
  channel: string,
  threadTs: string,
): Promise<MetaflowThread[]> =>
  db
    .select()
    .from(t)
    .where(
      and(eq(t.channel, channel), or(eq(t.threadTs, threadTs), like(t.threadTs, `${threadTs}#%`))),
    )
    .orderBy(t.id)

/** Moves a row aside under `<reply spot>#<row id>`; undefined when the row is gone. */
export const parkThread = (db: PgDb, now: number, row: MetaflowThread) =>
  first(
    db
      .update(t)
      .set({ threadTs: `${row.threadTs}#${row.id}`, updatedAt: now })
      .where(and(eq(t.id, row.id), eq(t.threadTs, row.threadTs)))
      .returning(),
  )
