// Small pure helpers over Metaflow objects: tags, owners, ids and the newest-first order every list uses.
import type { MetaflowRun, Tags } from './types.ts'

interface Tagged {
  tags: Tags
  system_tags: Tags
}

/** User tags then system tags; the wire may send null for either. */
function allTags(o: Tagged): string[] {
  return [...(o.tags ?? []), ...(o.system_tags ?? [])]
}

/** Metaflow's namespace rule: a required tag may be a user tag or a system tag. */
export function hasAllTags(o: Tagged, required: readonly string[]): boolean {
  if (required.length === 0) return true
  const have = new Set(allTags(o))
  return required.every((t) => have.has(t))
}

/**
 * Who started the run: the first `user:` tag, as the Slack bot showed it. With a production token
 * that tag is replaced by `production:<token>`, so fall back to `user_name`, then "unknown".
 */
export function ownerOf(run: Tagged & { user_name: string | null }): string {
  const tag = allTags(run).find((t) => t.startsWith('user:'))
  if (tag) return tag.slice('user:'.length)
  return run.user_name || 'unknown'
}

function runId(run: Pick<MetaflowRun, 'run_number'>): string {
  return String(run.run_number)
}

export function runPathspec(run: Pick<MetaflowRun, 'flow_id' | 'run_number'>): string {
  return `${run.flow_id}/${runId(run)}`
}

/** Ids compare as numbers when both are numeric (service numbers, local microsecond ids), else as text. */
export function compareIds(a: string | number, b: string | number): number {
  const x = String(a)
  const y = String(b)
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
    return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0
  }
  return x < y ? -1 : x > y ? 1 : 0
}

/** The order the Python client lists runs in: creation time, newest first; ties by id, highest first. */
export function newestFirst<T extends { ts_epoch: number; run_number: string | number }>(
  runs: readonly T[],
): T[] {
  return [...runs].sort((a, b) => b.ts_epoch - a.ts_epoch || compareIds(b.run_number, a.run_number))
}

/** Tags worth showing a person: the user's own `--tag`s, not the automatic system tags. */
export function userTags(o: Tagged): string[] {
  return o.tags ?? []
}
