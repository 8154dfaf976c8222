// Cron expressions of `schedule:` (five fields, or six with seconds first) in an IANA time zone,
// read by croner: whether one is valid, and the fire times after or before a moment. Pure.
import { Cron } from 'croner'

export interface CronSpec {
  cron: string
  /** IANA name; UTC when absent */
  tz?: string
}

/**
 * Why the time zone is not one the runtime knows, or null when it is. Checked apart from the
 * expression so the error can point at `tz:` rather than `cron:`.
 */
export function timeZoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz })
    return null
  } catch {
    return `unknown time zone "${tz}": use an IANA name such as Europe/London, America/New_York or UTC`
  }
}

/** Parsed expressions, by text and zone: the ticker asks about each schedule every second. */
const compiled = new Map<string, Cron>()

function compile(s: CronSpec): Cron {
  const key = `${s.tz ?? 'UTC'} ${s.cron}`
  let c = compiled.get(key)
  if (!c) {
    // Paused: croner would otherwise start a timer of its own; the ticker decides when to fire.
    c = new Cron(s.cron, { paused: true, timezone: s.tz ?? 'UTC', mode: '5-or-6-parts' })
    // A reloaded config may bring new expressions; old ones are few and small, but not kept forever.
    if (compiled.size >= 500) compiled.clear()
    compiled.set(key, c)
  }
  return c
}

/** Why the expression is not valid cron, or null when it is. */
export function cronProblem(expr: string): string | null {
  try {
    compile({ cron: expr }).nextRun()
    return null
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, '')
    return `bad cron expression "${expr}": ${why} (five fields: minute hour day-of-month month day-of-week, or six with seconds first)`
  }
}

/** The next `n` fire times strictly after `after` (epoch ms). */
export function nextTimes(s: CronSpec, after: number, n: number): number[] {
  return compile(s)
    .nextRuns(n, new Date(after))
    .map((d) => d.getTime())
}

/**
 * The latest fire time in (`since`, `until`], or null when there is none: however many slots a
 * long gap holds, only the latest matters (croner's search backwards is exclusive, hence + 1).
 */
export function latestTimeIn(s: CronSpec, since: number, until: number): number | null {
  const prev = compile(s)
    .previousRuns(1, new Date(until + 1))[0]
    ?.getTime()
  return prev === undefined || prev <= since ? null : prev
}
