// UTC time helpers for status texts and suppression windows (HH:MM, today only).

/** `YYYY-MM-DD HH:MM:SS+00:00`, the one time format users see. */
export function formatUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '+00:00')
}

/** Minutes after midnight for `HH:MM` (or `HHMM`); null for anything else (`9:00`, `24:00`, `11:60`). */
export function parseHhMm(text: string): number | null {
  const m = /^(\d{2}):?(\d{2})$/.exec(text.trim())
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  return h <= 23 && min <= 59 ? h * 60 + min : null
}

/** Today's (UTC) window for two HH:MM strings, or null when either is bad or start is not before end. */
export function suppressionWindow(
  now: number,
  start: string,
  end: string,
): { startAt: number; endAt: number } | null {
  const s = parseHhMm(start)
  const e = parseHhMm(end)
  if (s === null || e === null || s >= e) return null
  const d = new Date(now)
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  return { startAt: midnight + s * 60_000, endAt: midnight + e * 60_000 }
}

/** A Slack user id as a mention; any other name (local chat's operator, `github:login`) as is. */
export const who = (user: string) => (/^[UW][A-Z0-9]+$/.test(user) ? `<@${user}>` : user)

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
