// Opens the PostgreSQL queue: a postgres.js pool, the embedded migrations applied under their
// advisory lock, then the Queue over Drizzle.
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { runPgMigrations } from './migrate.ts'
import { PgQueue } from './pg-queue.ts'
import * as schema from './schema.ts'

/** The URL without its password, for logs and /healthz. */
export function safeLocation(url: string): string {
  try {
    const u = new URL(url)
    u.password = ''
    return u.toString()
  } catch {
    return 'postgres (unparsable URL)'
  }
}

export async function openPgQueue(
  url: string,
  opts: { migrate?: boolean; max?: number } = {},
): Promise<PgQueue> {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {} })
  try {
    if (opts.migrate !== false) await runPgMigrations(client)
  } catch (e) {
    await client.end({ timeout: 1 })
    throw e
  }
  return new PgQueue(client, drizzle({ client, schema }), safeLocation(url), url)
}
