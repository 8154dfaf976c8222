// How much room is left where run logs are written. A job that fails because the disk filled up
// usually says only "exit code 1"; its report, the log and /healthz can then say why.
import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'

/** Below this, writes to the logs are likely failing (or about to). */
const LOGS_FULL_BYTES = 1024 * 1024

/** Whether a measured room is too little; an unknown one is not called full. */
export const tooFull = (free: number | null): boolean => free !== null && free < LOGS_FULL_BYTES

/**
 * Bytes an unprivileged writer may still use on the filesystem holding `dir` (or its nearest
 * existing parent: the logs folder appears with the first run); null if unknown.
 */
export function freeBytes(dir: string): number | null {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = statfsSync(d)
      return Number(s.bavail) * Number(s.bsize)
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT' || dirname(d) === d) return null
    }
  }
}

/** The room left when it is below LOGS_FULL_BYTES, else null. */
export function logsFull(dir: string): { freeBytes: number; dir: string } | null {
  const free = freeBytes(dir)
  return tooFull(free) ? { freeBytes: free!, dir } : null
}
