// The PostgreSQL connection as Drizzle sees it: the same type for the pool and for a transaction,
// so every statement runs on either (inside a unit of work, on the unit's transaction).
import type { PgDatabase } from 'drizzle-orm/pg-core'
import type { PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js'
import type * as schema from './schema.ts'

export type PgDb = PgDatabase<PostgresJsQueryResultHKT, typeof schema>

/** The first row a statement returned, if any. */
export const first = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0]

/**
 * Transaction-scoped advisory locks, two keys each: the first names what is locked. A
 * read-then-write transition (schedule, approve, remove) takes its job type's lock so two
 * instances deciding about the same type at once decide one after the other.
 */
export const LOCK = { claim: 0x6562_6d01, migrate: 0x6562_6d02, jobType: 0x6562_6d03 } as const
