// settings.keep_logs: run log folders (<logs>/<job type>/<start>_<id>) whose last write is older
// than the limit are deleted, at start and hourly, so logs cannot fill the disk over the months.
// Runs still going are never touched, however long they have been quiet.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { AppContext } from '../app/context.ts'
import { errorText } from '../util/log.ts'
import { SPARE_DIR } from './spare-log-dirs.ts'

/** The latest modification time in a run's folder (the folder itself and its files). */
function lastWrite(dir: string): number {
  let latest = statSync(dir).mtimeMs
  for (const name of readdirSync(dir)) {
    try {
      latest = Math.max(latest, statSync(join(dir, name)).mtimeMs)
    } catch {
      // removed meanwhile
    }
  }
  return latest
}

/** Deletes expired run folders; returns how many. `live` holds folders of runs still going. */
function pruneLogs(
  logsDir: string,
  maxAgeSeconds: number,
  now: number,
  live: ReadonlySet<string>,
): number {
  const cutoff = now - maxAgeSeconds * 1000
  let removed = 0
  let types: string[]
  try {
    types = readdirSync(logsDir)
  } catch {
    return 0 // no logs yet
  }
  for (const type of types) {
    if (type === SPARE_DIR) continue // folders made ahead for runs to come
    let runDirs: string[]
    try {
      runDirs = readdirSync(join(logsDir, type))
    } catch {
      continue // not a folder
    }
    for (const name of runDirs) {
      const dir = join(logsDir, type, name)
      try {
        if (live.has(dir) || lastWrite(dir) >= cutoff) continue
        rmSync(dir, { recursive: true, force: true })
        removed++
      } catch {
        // unreadable or gone: left for the next pass
      }
    }
  }
  return removed
}

/** One pruning pass for the bot, logged; `liveDirs` are the folders of runs still going. */
export function pruneRunLogs(ctx: AppContext, liveDirs: string[]): number {
  try {
    const removed = pruneLogs(
      ctx.logsDir,
      ctx.config.settings.keep_logs,
      ctx.now(),
      new Set(liveDirs),
    )
    if (removed) ctx.log.info('logs.pruned', { runs: removed })
    return removed
  } catch (e) {
    ctx.log.warn('logs.prune_failed', { error: errorText(e) })
    return 0
  }
}
