// Run history for the web page on PostgreSQL: the same filters and keyset paging as ../find-runs.ts.
import { desc } from 'drizzle-orm'
import { pageOf, runConditions, type RunFilter, type RunPage } from '../find-runs.ts'
import type { PgDb } from './db.ts'
import { runs } from './schema.ts'

export async function findRuns(
  db: PgDb,
  filter: RunFilter,
  limit: number,
  before?: number,
): Promise<RunPage> {
  const rows = await db
    .select()
    .from(runs)
    .where(runConditions(runs, filter, before))
    .orderBy(desc(runs.id))
    .limit(limit + 1)
  return pageOf(rows, limit)
}
