// PostgreSQL errors that mean "could not store now, the same write may work later": the server is
// out of reach or restarting, out of disk or connections, read-only after a failover, or the
// transaction lost a deadlock. A request that meets one is left for its sender to try again.
import { DrizzleQueryError } from 'drizzle-orm/errors'

// SQLSTATE classes 08 (connection), 53 (insufficient resources: disk full, too many connections),
// 57P (shutdown, crash recovery), 40001/40P01 (serialization, deadlock), 25006 (read-only).
const SQLSTATES = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-4]|40001|40P01|25006)$/
// postgres.js's codes for a connection it could not make or lost. Alone they could come from any
// network call, so they count only under a failed database query.
const CONNECTION =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED)$/

export function isPgStorageFailure(e: unknown): boolean {
  let inQuery = false
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) {
    if (x instanceof DrizzleQueryError) inQuery = true
    const code = (x as { code?: unknown }).code
    if (typeof code !== 'string') continue
    if (SQLSTATES.test(code) || (inQuery && CONNECTION.test(code))) return true
  }
  return false
}
