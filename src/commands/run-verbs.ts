// Verbs about one run (`status`, `logs`, `cancel`, `rerun`, `quiet`, `loud`) and `history`.
// In a run's thread they need no number; elsewhere they take one: `logs 42`, `cancel 42`.
import { ownValue } from '../util/own.ts'

export type LogsSpec = { stream: 'stdout' | 'stderr'; lines: number | 'all' }

export type RunVerb =
  | { kind: 'run_status'; id: number }
  | { kind: 'logs'; id: number; spec: LogsSpec }
  | { kind: 'cancel_run'; id: number }
  | { kind: 'rerun'; id: number }
  | { kind: 'quiet'; id: number; quiet: boolean }
  | { kind: 'decide'; id: number; approve: boolean }
  | { kind: 'history'; namespace?: string; job?: string; outcome?: string; page: number }
  | { kind: 'usage'; text: string }

const OUTCOMES: Record<string, string> = {
  failed: 'failed',
  succeeded: 'succeeded',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  lost: 'lost',
  'timed-out': 'timed_out',
  timed_out: 'timed_out',
  timeout: 'timed_out',
  running: 'running',
  pending: 'pending',
}

const VERBS = [
  'status',
  'logs',
  'cancel',
  'rerun',
  'quiet',
  'loud',
  'approve',
  'deny',
  'yes',
  'no',
] as const
const isNumber = (w: string) => /^\d{1,12}$/.test(w)
const DEFAULT_LOG_LINES = 40
const MAX_LOG_LINES = 500

/** Parses run verbs from cleaned, lower-cased words; null when the text is not one of them. */
export function parseRunVerb(lower: string[], threadRun?: number): RunVerb | null {
  const [verb, ...rest] = lower
  if (verb === 'history') return parseHistory(rest)
  if (!verb || !(VERBS as readonly string[]).includes(verb)) return null
  // `status` alone outside a run's thread is the queue status, not a run verb.
  if (verb === 'status' && rest.length === 0 && threadRun === undefined) return null
  // `yes` and `no` answer a confirmation only inside its thread; elsewhere they mean nothing.
  if ((verb === 'yes' || verb === 'no') && (threadRun === undefined || rest.length)) return null
  const idWord = rest.find(isNumber)
  let id = threadRun
  if (verb !== 'logs' && idWord !== undefined) id = Number(idWord)
  if (verb === 'logs') {
    // `logs 100` in a thread means 100 lines; `logs 42` elsewhere means run 42.
    const nums = rest.filter(isNumber)
    const words = rest.filter((w) => !isNumber(w))
    if (words.some((w) => !['stdout', 'stderr', 'all'].includes(w)) || nums.length > 2) return null
    let lines: number | 'all' = words.includes('all') ? 'all' : DEFAULT_LOG_LINES
    if (threadRun === undefined || nums.length === 2) id = nums.length ? Number(nums[0]) : undefined
    const count = threadRun === undefined || nums.length === 2 ? nums[1] : nums[0]
    if (count !== undefined && lines !== 'all')
      lines = Math.min(Math.max(Number(count), 1), MAX_LOG_LINES)
    if (id === undefined)
      return {
        kind: 'usage',
        text: "Which run? Say `logs 42` (the run number), or say `logs` in the run's thread.",
      }
    return {
      kind: 'logs',
      id,
      spec: { stream: words.includes('stderr') ? 'stderr' : 'stdout', lines },
    }
  }
  if (rest.some((w) => !isNumber(w)) || rest.length > 1) return null
  if (id === undefined)
    return {
      kind: 'usage',
      text: `Which run? Say \`${verb} 42\` (the run number), or say \`${verb}\` in the run's thread.`,
    }
  switch (verb) {
    case 'status':
      return { kind: 'run_status', id }
    case 'cancel':
      return { kind: 'cancel_run', id }
    case 'rerun':
      return { kind: 'rerun', id }
    case 'approve':
    case 'yes':
      return { kind: 'decide', id, approve: true }
    case 'deny':
    case 'no':
      return { kind: 'decide', id, approve: false }
    default:
      return { kind: 'quiet', id, quiet: verb === 'quiet' }
  }
}

function parseHistory(rest: string[]): RunVerb {
  let page = 1
  let outcome: string | undefined
  const names: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!
    if (w === 'page' && rest[i + 1] && isNumber(rest[i + 1]!)) page = Math.max(1, Number(rest[++i]))
    else if (ownValue(OUTCOMES, w)) outcome = ownValue(OUTCOMES, w)
    else names.push(w)
  }
  if (names.length > 2)
    return {
      kind: 'usage',
      text: 'Usage: `history [namespace] [job] [failed|succeeded|cancelled|timed-out|lost] [page N]`',
    }
  return { kind: 'history', namespace: names[0], job: names[1], outcome, page }
}
