// Cron expressions of `schedule:` (five fields, or six with seconds first) in an IANA time zone,
// read by croner: whether one is valid, and the fire times after or before a moment. Pure, but
// for a look at the host's time zone files.
import { openSync, readSync, closeSync } from 'node:fs'
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
  if (tz === 'UTC' || inZoneFiles(tz)) return null
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz })
    return null
  } catch {
    return `unknown time zone "${tz}": use an IANA name such as Europe/London, America/New_York or UTC`
  }
}

/**
 * Whether the host's tz database has this zone. The first Intl.DateTimeFormat of a process loads
 * ICU's time zone data, 6 to 8 ms, a large share of the bot's start: a config check that finds
 * the zone here leaves that to the first fire time the ticker works out, after the bot is ready.
 * Only the names ICU knows too count: not `posix/...`, `right/...`, the folder's tables or
 * `Factory`; a name not found here is still asked of Intl, so a host without tzdata reads zones
 * as before.
 */
function inZoneFiles(tz: string): boolean {
  if (
    !/^[A-Z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(tz) ||
    /^(posix|right)\/|^Factory$/.test(tz)
  )
    return false
  try {
    const fd = openSync(`/usr/share/zoneinfo/${tz}`, 'r')
    try {
      const magic = Buffer.alloc(4)
      return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === 'TZif'
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}

/** Parsed expressions, by text and zone: the ticker asks about each schedule every second. */
const compiled = new Map<string, Cron>()

function compile(s: CronSpec): Cron {
  const key = `${s.tz ?? 'UTC'} ${s.cron}`
  let c = compiled.get(key)
  if (!c) {
    // Paused: croner would otherwise start a timer of its own; the ticker decides when to fire.
    // UTC as an offset: croner reads a named zone through Intl, whose first use loads ICU's data.
    const zone = s.tz && s.tz !== 'UTC' ? { timezone: s.tz } : { utcOffset: 0 }
    c = new Cron(s.cron, { paused: true, ...zone, mode: '5-or-6-parts' })
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
