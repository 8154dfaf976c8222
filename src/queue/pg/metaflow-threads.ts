// Metaflow thread state on PostgreSQL. Transitions name the state they expect (compare-and-set),
// exactly as on SQLite (../metaflow-threads.ts says why).
import { and, eq, isNotNull, isNull, or, sql } from 'drizzle-orm'
import type { Follow, ThreadKey } from '../metaflow-threads.ts'
import type { MetaflowThread, MetaflowThreadStatus } from '../schema.ts'
import { first, type PgDb } from './db.ts'
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
