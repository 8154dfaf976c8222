// Metaflow thread state: which run a conversation inspects, its watch, and the last status
// announced. Transitions name the state they expect (compare-and-set) and report whether it held,
// so the watcher and a chat reply racing to record the same change record it once.
import { and, eq, isNotNull, isNull, or, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import {
  metaflowThreads,
  type Door,
  type MetaflowThread,
  type MetaflowThreadStatus,
} from './schema.ts'

export interface ThreadKey {
  door: Door
  channel: string
  /** the reply spot; '' for a chat without threads */
  threadTs: string
}

export function getThread(db: Db, channel: string, threadTs: string): MetaflowThread | undefined {
  return db
    .select()
    .from(metaflowThreads)
    .where(and(eq(metaflowThreads.channel, channel), eq(metaflowThreads.threadTs, threadTs)))
    .get()
}

export function getThreadById(db: Db, id: number): MetaflowThread | undefined {
  return db.select().from(metaflowThreads).where(eq(metaflowThreads.id, id)).get()
}

export interface Follow {
  flow: string
  runId: string | null
  watching: boolean
  lastStatus: MetaflowThreadStatus | null
  ebmbotRunId: number | null
}

/** The thread now follows this run (`inspect`, or `run` before the id is known); whatever it followed is forgotten. */
export function followInThread(db: Db, now: number, key: ThreadKey, f: Follow): MetaflowThread {
  const fields = {
    door: key.door,
    flow: f.flow,
    runId: f.runId,
    watching: f.watching,
    lastStatus: f.lastStatus,
    ebmbotRunId: f.ebmbotRunId,
    updatedAt: now,
  }
  return db
    .insert(metaflowThreads)
    .values({ ...fields, channel: key.channel, threadTs: key.threadTs, createdAt: now })
    .onConflictDoUpdate({
      target: [metaflowThreads.channel, metaflowThreads.threadTs],
      set: fields,
    })
    .returning()
    .get()
}

/** A newer request took over a pending ebmbot run: the threads that asked before stop claiming it. */
export function releaseEbmbotRun(
  db: Db,
  now: number,
  ebmbotRunId: number,
  exceptId?: number,
): number {
  const rows = db
    .update(metaflowThreads)
    .set({ ebmbotRunId: null, watching: false, updatedAt: now })
    .where(
      and(
        eq(metaflowThreads.ebmbotRunId, ebmbotRunId),
        isNull(metaflowThreads.runId),
        exceptId === undefined ? undefined : sql`${metaflowThreads.id} <> ${exceptId}`,
      ),
    )
    .returning()
    .all()
  return rows.length
}

export function setWatching(
  db: Db,
  now: number,
  id: number,
  watching: boolean,
  lastStatus?: MetaflowThreadStatus | null,
): MetaflowThread | undefined {
  return db
    .update(metaflowThreads)
    .set({ watching, updatedAt: now, ...(lastStatus !== undefined ? { lastStatus } : {}) })
    .where(eq(metaflowThreads.id, id))
    .returning()
    .get()
}

/**
 * Turns watching on for a run seen running, unless its last status moved since the caller read
 * the row (the watcher announced an end meanwhile): undefined then, so the end is not announced twice.
 */
export function watchFrom(
  db: Db,
  now: number,
  row: Pick<MetaflowThread, 'id' | 'lastStatus'>,
): MetaflowThread | undefined {
  const from =
    row.lastStatus === null
      ? isNull(metaflowThreads.lastStatus)
      : eq(metaflowThreads.lastStatus, row.lastStatus)
  return db
    .update(metaflowThreads)
    .set({ watching: true, lastStatus: 'running', updatedAt: now })
    .where(and(eq(metaflowThreads.id, row.id), from))
    .returning()
    .get()
}

/** Records the run id learned for a run started from chat; only the first caller gets the row back. */
export function recordRunId(
  db: Db,
  now: number,
  id: number,
  ebmbotRunId: number,
  runId: string,
): MetaflowThread | undefined {
  return db
    .update(metaflowThreads)
    .set({ runId, updatedAt: now })
    .where(
      and(
        eq(metaflowThreads.id, id),
        isNull(metaflowThreads.runId),
        eq(metaflowThreads.ebmbotRunId, ebmbotRunId),
      ),
    )
    .returning()
    .get()
}

/**
 * Moves the last status from `from` to `to` for the run the caller looked at. Undefined when
 * someone else moved it first (or the thread now follows another run): then nothing is announced.
 */
export function recordStatus(
  db: Db,
  now: number,
  row: Pick<MetaflowThread, 'id' | 'flow' | 'runId' | 'lastStatus'>,
  to: MetaflowThreadStatus,
): MetaflowThread | undefined {
  const from =
    row.lastStatus === null
      ? isNull(metaflowThreads.lastStatus)
      : eq(metaflowThreads.lastStatus, row.lastStatus)
  const same =
    row.runId === null ? isNull(metaflowThreads.runId) : eq(metaflowThreads.runId, row.runId)
  return db
    .update(metaflowThreads)
    .set({ lastStatus: to, updatedAt: now })
    .where(and(eq(metaflowThreads.id, row.id), eq(metaflowThreads.flow, row.flow), same, from))
    .returning()
    .get()
}

/**
 * What the watcher looks at: watched runs with no final status yet, and runs started from chat
 * whose id is not known yet. A few rows per active conversation, so a scan every few seconds is
 * cheap; rows that reached a final status drop out of it for good.
 */
export function threadsToWatch(db: Db): MetaflowThread[] {
  const open = or(isNull(metaflowThreads.lastStatus), eq(metaflowThreads.lastStatus, 'running'))
  return db
    .select()
    .from(metaflowThreads)
    .where(
      or(
        and(eq(metaflowThreads.watching, true), isNotNull(metaflowThreads.runId), open),
        and(
          isNull(metaflowThreads.runId),
          isNotNull(metaflowThreads.ebmbotRunId),
          isNull(metaflowThreads.lastStatus),
        ),
      ),
    )
    .all()
}
