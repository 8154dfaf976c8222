// Trigger matching (pure): which of a project's triggers a verified delivery fires, with the job
// params taken from payload fields, or a short reason why none does. No I/O, tested as tables.
import { FILTER_FIELDS, type FilterName } from '../config/github-schema.ts'
import type { GitHubProject, GitHubTrigger, Scalar } from '../config/types.ts'

export interface Fired {
  trigger: GitHubTrigger
  params: Record<string, string>
}

export type TriggerResult =
  | { kind: 'fired'; fired: Fired[] }
  /** nothing to do: 202 with the reason */
  | { kind: 'no_match'; reason: string }
  /** a trigger matched but a param value is unsafe or unusable: refused, nothing queued */
  | { kind: 'bad_param'; reason: string }

/** The value at a dotted path (`pull_request.base.ref`, `commits.0.id`); undefined when absent. */
export function payloadField(payload: unknown, path: string): unknown {
  let cur: unknown = payload
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

/** Branch-style globs, as in GitHub Actions filters: `*` stays within a path segment, `**` crosses. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/\*\*|\*|\?|[.+^${}()|[\]\\/]/g, (t) =>
    t === '**' ? '.*' : t === '*' ? '[^/]*' : t === '?' ? '[^/]' : `\\${t}`,
  )
  return new RegExp(`^${re}$`, 's').test(value)
}

/** Longest value a payload may put into a command; git refs are at most 255 bytes. */
const MAX_PARAM_LENGTH = 512

/**
 * Payload values become job params, so they get the same treatment as chat params: one line of
 * printable text (chat values are whitespace-normalised words, so they cannot hold control
 * characters either). Quoting already makes any value safe for bash; this keeps a branch name
 * from smuggling newlines or terminal escapes into logs, reports and the job's own scripts.
 */
export function paramProblem(value: string): string | null {
  if (value.length === 0) return 'is empty'
  if (value.length > MAX_PARAM_LENGTH) return `is longer than ${MAX_PARAM_LENGTH} characters`
  if (/[\p{Cc}\u2028\u2029]/u.test(value))
    return 'contains control characters (newlines, tabs, escapes)'
  return null
}

const show = (v: unknown) => {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/** Why this delivery does not fire the trigger, or null when it does (params aside). */
function filterMismatch(t: GitHubTrigger, event: string, payload: unknown): string | null {
  if (event !== t.event) return `event is ${event}, trigger wants ${t.event}`
  const field = (f: FilterName) => (FILTER_FIELDS[f] as Record<string, string>)[event]!
  if (t.action) {
    const action = payloadField(payload, 'action')
    if (typeof action !== 'string' || !t.action.includes(action))
      return `action is ${show(action)}, trigger wants ${t.action.join(' or ')}`
  }
  if (t.merged !== undefined) {
    const merged = payloadField(payload, field('merged'))
    if (merged !== t.merged)
      return t.merged ? 'the pull request was not merged' : 'the pull request was merged'
  }
  const globs: [FilterName, string[] | undefined][] = [
    ['base_branch', t.baseBranch],
    ['ref', t.ref],
  ]
  for (const [name, want] of globs) {
    if (!want) continue
    const v = payloadField(payload, field(name))
    if (typeof v !== 'string' || !want.some((g) => globMatch(g, v)))
      return `${name} is ${show(v)}, trigger wants ${want.join(' or ')}`
  }
  if (t.conclusion) {
    const v = payloadField(payload, field('conclusion'))
    if (typeof v !== 'string' || !t.conclusion.includes(v))
      return `conclusion is ${show(v)}, trigger wants ${t.conclusion.join(' or ')}`
  }
  for (const [path, want] of Object.entries(t.where)) {
    const v = payloadField(payload, path)
    if (!isScalar(v) || !want.some((w) => String(w) === String(v)))
      return `${path} is ${show(v)}, trigger wants ${want.join(' or ')}`
  }
  return null
}

/** The trigger's params from the payload: values, or why one cannot be used. */
function triggerParams(
  t: GitHubTrigger,
  payload: unknown,
): { params: Record<string, string> } | { missing: string } | { bad: string } {
  const params: Record<string, string> = {}
  for (const [name, path] of Object.entries(t.params)) {
    const v = payloadField(payload, path)
    if (v === undefined || v === null)
      return { missing: `the payload has no ${path} for [${name}]` }
    if (!isScalar(v)) return { bad: `[${name}] from ${path} is not a single value` }
    const value = String(v)
    const problem = paramProblem(value)
    if (problem) return { bad: `[${name}] from ${path} ${problem}` }
    params[name] = value
  }
  return { params }
}

const label = (t: GitHubTrigger) => `trigger ${t.index} (${t.event} -> ${t.jobType})`

/**
 * Every trigger of the project the delivery fires (several may: a deploy and a notification).
 * One unusable param refuses the whole delivery rather than running half of what it asked for.
 */
export function matchTriggers(
  project: GitHubProject,
  event: string,
  payload: unknown,
): TriggerResult {
  const forEvent = project.triggers.filter((t) => t.event === event)
  if (!forEvent.length) {
    const events = [...new Set(project.triggers.map((t) => t.event))]
    return {
      kind: 'no_match',
      reason: `no trigger for ${event} events${events.length ? ` (triggers: ${events.join(', ')})` : ''}`,
    }
  }
  const fired: Fired[] = []
  const reasons: string[] = []
  for (const t of forEvent) {
    const mismatch = filterMismatch(t, event, payload)
    if (mismatch) {
      reasons.push(`${label(t)}: ${mismatch}`)
      continue
    }
    const p = triggerParams(t, payload)
    if ('bad' in p) return { kind: 'bad_param', reason: `${label(t)}: ${p.bad}` }
    if ('missing' in p) reasons.push(`${label(t)}: ${p.missing}`)
    else fired.push({ trigger: t, params: p.params })
  }
  return fired.length ? { kind: 'fired', fired } : { kind: 'no_match', reason: reasons.join('; ') }
}
