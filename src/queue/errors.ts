// What a failed database call means: another writer's lock, or storage that cannot take the write.
import { isPgStorageFailure } from './pg/storage-failure.ts'

/** SQLite gave up waiting for another connection's lock (SQLITE_BUSY after the busy timeout). */
export function isBusy(e: unknown): boolean {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) {
    const code = (x as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true
    if (x instanceof Error && /database is locked/.test(x.message)) return true
  }
  return false
}

const STORAGE_CODES = /^SQLITE_(BUSY|FULL|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|PROTOCOL|NOTADB)/
const STORAGE_MESSAGES =
  /database is locked|database or disk is full|disk I\/O error|readonly database|unable to open database/

/**
 * The database could not store (a full disk, an I/O error, a lock held too long, a file made
 * read-only; on PostgreSQL also a server out of reach, see pg/storage-failure.ts): nothing was
 * written, and the same write may work later. A request that meets this is left
 * unacknowledged, so its sender tries again; anything else is a fault in the request.
 */
export function isStorageFailure(e: unknown): boolean {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) {
    const code = (x as { code?: unknown }).code
    if (typeof code === 'string' && STORAGE_CODES.test(code)) return true
    if (x instanceof Error && STORAGE_MESSAGES.test(x.message)) return true
  }
  return isPgStorageFailure(e)
}
