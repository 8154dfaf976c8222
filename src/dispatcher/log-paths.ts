// Where a run's output goes: <logs>/<job type>/<UTC start>_<run id>/stdout|stderr. The run id
// keeps two runs started in the same millisecond apart; names come only from validated config
// and numbers, never from users. Folders are 0700: only the bot reads run output.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export function runLogDir(
  logsRoot: string,
  jobType: string,
  runId: number,
  startedAt: number,
): string {
  // The namespace holds no underscore, so the first one ends it; the job name may hold more.
  if (!/^[A-Za-z0-9-]+_[A-Za-z0-9_-]+$/.test(jobType))
    throw new Error(`unsafe job type for a path: ${jobType}`)
  const stamp = new Date(startedAt).toISOString().replace(/:/g, '-')
  return join(logsRoot, jobType, `${stamp}_${Math.trunc(runId)}`)
}

/** Creates a run's log folder (`dir`, below the logs root) readable by the bot alone, whatever the umask. */
export function makeLogDir(logsRoot: string, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(logsRoot, 0o700)
}

/** An empty log file only the bot may read (the job then writes into it), whatever the umask. */
export function createPrivate(file: string): void {
  writeFileSync(file, '', { mode: 0o600 })
  chmodSync(file, 0o600)
}

/** The same, on the runtime's file threads (for folders made ahead, off the event loop). */
export async function createPrivateSoon(file: string): Promise<void> {
  await writeFile(file, '', { mode: 0o600 })
  await chmod(file, 0o600)
}
