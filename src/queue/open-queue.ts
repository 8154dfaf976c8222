// Opens the queue the environment names: PostgreSQL for a `postgres://` DATABASE_URL, else the
// SQLite file in the state folder, as always.
import { join } from 'node:path'
import { openQueue } from './db.ts'
import type { Queue } from './queue.ts'

export class DatabaseUrlError extends Error {}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url)

/** The SQLite queue serve opens when DATABASE_URL does not name PostgreSQL. */
export const sqliteFileOf = (env: { stateDir: string }) => join(env.stateDir, 'ebmbot.db')

/** Which backend a DATABASE_URL selects; anything else than PostgreSQL is refused, not guessed. */
function backendOf(url: string | undefined): 'sqlite' | 'postgres' {
  if (!url) return 'sqlite'
  if (isPostgresUrl(url)) return 'postgres'
  throw new DatabaseUrlError(
    `DATABASE_URL must be a postgres:// (or postgresql://) URL; unset it to use the SQLite file in the state folder`,
  )
}

export async function openQueueFor(env: {
  stateDir: string
  databaseUrl?: string
}): Promise<Queue> {
  // The PostgreSQL driver and its drizzle modules load only when DATABASE_URL names it.
  if (backendOf(env.databaseUrl) === 'postgres')
    return (await import('./pg/open.ts')).openPgQueue(env.databaseUrl!)
  return openQueue(sqliteFileOf(env))
}
