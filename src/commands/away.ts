// Tech-support's out-of-office dates: the built-in `out-of-office` commands that
// show, set and clear them, the date rules, and what people asking for tech-support are told.
// Pure: the caller passes today's date and a store (the database), so every rule is testable.
//
// The command word cannot contain the keyword itself: a message carrying `tech-support` is
// reposted, never run as a command, so `@ebmbot tech-support away …` would call the team.

import { guestRefusal } from './access.ts'
import { AWAY_WORD } from '../config/schema.ts'
import { who } from './times.ts'

/** Dates are whole UTC days, `YYYY-MM-DD`, both ends included. */
export interface AwayWindow {
  startsOn: string
  endsOn: string
}

export type AwayDecision =
  | { kind: 'out_of_office'; action: 'show' }
  | { kind: 'out_of_office'; action: 'off' }
  | { kind: 'out_of_office'; action: 'on'; start: string; end: string }

const usage = (prefix: string) =>
  `Usage: \`${prefix}${AWAY_WORD} from [YYYY-MM-DD] to [YYYY-MM-DD]\` (UTC days, both included), ` +
  `\`${prefix}${AWAY_WORD} until [YYYY-MM-DD]\` (from today), \`${prefix}${AWAY_WORD} off\`, ` +
  `or \`${prefix}${AWAY_WORD}\` to see the dates.`

/** True when the cleaned words are an out-of-office command (so the door knows to look up guests). */
export const isAwayCommand = (lower: readonly string[]) => lower[0] === AWAY_WORD

/**
 * Parses cleaned, lower-cased words; null when they are not an out-of-office command. Guests are
 * refused here, as in a restricted namespace: the dates change what everyone asking is told.
 * Dates are only split out; `awayWindow` judges them against today.
 */
export function parseAwayCommand(
  lower: readonly string[],
  who: { isGuest: boolean; guestUnknown?: boolean },
  prefix = '',
): AwayDecision | { kind: 'reply'; text: string } | null {
  if (!isAwayCommand(lower)) return null
  if (who.isGuest)
    return { kind: 'reply', text: `Sorry, ${guestRefusal(`the \`${AWAY_WORD}\` commands`, who)}.` }
  const rest = lower.slice(1)
  const [a, b, c, d] = rest
  if (rest.length === 0 || (rest.length === 1 && a === 'status'))
    return { kind: 'out_of_office', action: 'show' }
  if (rest.length === 1 && a === 'off') return { kind: 'out_of_office', action: 'off' }
  if (rest.length === 4 && a === 'from' && (c === 'to' || c === 'until'))
    return { kind: 'out_of_office', action: 'on', start: b!, end: d! }
  if (rest.length === 2 && a === 'until')
    return { kind: 'out_of_office', action: 'on', start: 'today', end: b! }
  return { kind: 'reply', text: usage(prefix) }
}

/** The UTC day of an epoch-ms time, `YYYY-MM-DD`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** `2026-12-24` → the same string when it is a real calendar day; otherwise why not. */
export function parseDay(text: string): { ok: true; day: string } | { ok: false; reason: string } {
  const m = DATE.exec(text)
  if (!m)
    return {
      ok: false,
      reason: `\`${text}\` is not a date: write it as \`YYYY-MM-DD\`, e.g. \`2026-12-24\``,
    }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12)
    return { ok: false, reason: `\`${text}\` is not a date: there is no month ${m[2]}` }
  // Day 0 of the next month is the last day of this one (leap years included).
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (day < 1 || day > last)
    return {
      ok: false,
      reason: `\`${text}\` is not a date: ${MONTHS[month - 1]} ${year} has ${last} days`,
    }
  return { ok: true, day: text }
}

/**
 * The window to store, or why it is refused: each date must be real, the start not after the end,
 * and the end not already past (a start in the past is fine: the period is under way).
 * `today` as a start means today.
 */
export function awayWindow(
  start: string,
  end: string,
  today: string,
): { ok: true; window: AwayWindow } | { ok: false; reason: string } {
  const s = start === 'today' ? { ok: true as const, day: today } : parseDay(start)
  if (!s.ok) return s
  const e = parseDay(end)
  if (!e.ok) return e
  // The end first: for `until <a past day>` "already passed" is the useful answer.
  if (e.day < today)
    return { ok: false, reason: `${e.day} has already passed (today is ${today}, UTC)` }
  if (s.day > e.day)
    return {
      ok: false,
      reason: `the start (${s.day}) is after the end (${e.day}); give the earlier date first`,
    }
  return { ok: true, window: { startsOn: s.day, endsOn: e.day } }
}

/** Whether the window covers `today`, both ends included (ISO dates compare as strings). */
export const isAwayOn = (w: AwayWindow | undefined, today: string): w is AwayWindow =>
  !!w && w.startsOn <= today && today <= w.endsOn

/** `2026-12-24` → `Thursday 24 December 2026`. */
export function longDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return `${DAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`
}

/** The reply threaded under a message asking for tech-support while it is away. */
export function awayNotice(w: AwayWindow): string {
  return `:palm_tree: Tech-support is out of office until the end of ${longDay(w.endsOn)} (UTC). I've passed your message on to them, but an answer may take until they are back.`
}

/** The dates stored now, and who set them. */
export type StoredAway = (AwayWindow & { setBy: string }) | undefined

/** What an out-of-office command says, and the change to store: new dates, or none at all. */
export interface AwayOutcome {
  text: string
  /** it changed the dates */
  accepted: boolean
  change?: AwayWindow | 'clear'
}

/** Decides an out-of-office command against the stored dates; the caller stores the change. */
export function applyAway(d: AwayDecision, today: string, stored: StoredAway): AwayOutcome {
  switch (d.action) {
    case 'show': {
      const w = stored
      if (!w || w.endsOn < today)
        return {
          text: `Tech-support is not marked out of office. To set it: \`${AWAY_WORD} from [YYYY-MM-DD] to [YYYY-MM-DD]\`.`,
          accepted: false,
        }
      // A Slack user id becomes a mention; local chat's operator is shown as is.
      const by = who(w.setBy)
      const when = `from ${longDay(w.startsOn)} to ${longDay(w.endsOn)} (UTC, both included), set by ${by}`
      const now = isAwayOn(w, today)
      return {
        text: `Tech-support ${now ? 'is' : 'will be'} out of office ${when}. Say \`${AWAY_WORD} off\` to end it.`,
        accepted: false,
      }
    }
    case 'off': {
      const live = !!stored && stored.endsOn >= today
      return live
        ? {
            text: 'Tech-support is no longer marked out of office.',
            accepted: true,
            change: 'clear',
          }
        : {
            text: 'Tech-support was not marked out of office.',
            accepted: false,
            ...(stored ? { change: 'clear' as const } : {}),
          }
    }
    case 'on': {
      const res = awayWindow(d.start, d.end, today)
      if (!res.ok) return { text: `Sorry, ${res.reason}. Nothing was changed.`, accepted: false }
      const { startsOn, endsOn } = res.window
      const now = isAwayOn(res.window, today)
      return {
        text:
          `Tech-support ${now ? 'is' : 'will be'} out of office from ${longDay(startsOn)} to ${longDay(endsOn)} (UTC, both included). ` +
          `Messages asking for tech-support then get a reply that it is away until ${longDay(endsOn)}, and are still passed on. ` +
          `Say \`${AWAY_WORD} off\` to end it sooner.`,
        accepted: true,
        change: res.window,
      }
    }
  }
}

/** The help line; :lock: as for restricted namespaces, since guests may not use it. */
export const awayHelpLine = (prefix: string) =>
  `:lock: \`${prefix}${AWAY_WORD} from [YYYY-MM-DD] to [YYYY-MM-DD]\`, \`${prefix}${AWAY_WORD} off\`, \`${prefix}${AWAY_WORD}\`: tech-support's out-of-office dates (people asking for it are told it is away)`
