// `ebmbot migrate --to postgres://…`: the SQLite queue serve would open, copied into PostgreSQL
// (src/queue does the copy), and what was copied, table by table, for the operator.
import { hostname } from 'node:os'
import { sameProcess } from '../dispatcher/proc.ts'
import { type CopyResult, copySqliteToPostgres } from '../queue/copy-to-postgres.ts'
import type { Worker } from '../queue/schema.ts'

/** A bot on another host is taken for alive while its heartbeat is this recent. */
const HEARTBEAT_FRESH_MS = 60_000

/** Alive now: not stopped, and its process is there (this host) or it heartbeats (another). */
function workerAlive(w: Worker, here = hostname(), now = Date.now()): boolean {
  if (w.stoppedAt) return false
  if (w.host === here) return sameProcess(w.pid, w.pidStart)
  return now - w.heartbeatAt < HEARTBEAT_FRESH_MS
}

export function migrateToPostgres(opts: {
  sqliteFile: string
  url: string
  force: boolean
  dryRun: boolean
}): Promise<CopyResult> {
  return copySqliteToPostgres({ ...opts, alive: (w) => workerAlive(w) })
}

/** The lines `migrate --to` prints: where from and to, rows per table, the next ids. */
export function copyReport(r: CopyResult): string {
  const width = Math.max(...r.tables.map((t) => t.table.length))
  const lines = [
    r.dryRun
      ? `dry run: ${r.from} → ${r.to} would copy (rolled back, nothing written):`
      : `copied ${r.from} → ${r.to}:`,
  ]
  for (const t of r.tables)
    lines.push(
      `  ${t.table.padEnd(width)}  ${String(t.rows).padStart(8)} rows${t.nextId === undefined ? '' : `, next id ${t.nextId}`}`,
    )
  const total = r.tables.reduce((n, t) => n + t.rows, 0)
  lines.push(`  ${'total'.padEnd(width)}  ${String(total).padStart(8)} rows`)
  if (r.migrations)
    lines.push(
      `PostgreSQL migrations applied first: ${r.migrations}${r.dryRun ? ' (rolled back too)' : ''}`,
    )
  if (r.cleared.length)
    lines.push(
      `${r.dryRun ? 'would delete' : 'deleted'} what PostgreSQL held before (--force): ${r.cleared.map((t) => `${t.table} ${t.rows}`).join(', ')}`,
    )
  if (!r.dryRun)
    lines.push(
      'Set DATABASE_URL to this URL where the bot runs and start it; the SQLite file is left as it was.',
    )
  return lines.join('\n')
}
