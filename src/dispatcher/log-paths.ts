// Where a run's output goes: <logs>/<job type>/<UTC start>_<run id>/stdout|stderr. The run id
// keeps two runs started in the same millisecond apart; names come only from validated config
// and numbers, never from users.
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
