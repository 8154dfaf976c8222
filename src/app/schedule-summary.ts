// A schedule as `config check` and `explain` show it: its cron and zone, where it reports, what
// happens to a missed slot, and the next three fire times.
import { missedPolicyText, nextText } from '../commands/schedule-text.ts'
import type { Schedule } from '../config/types.ts'

export function scheduleSummary(s: Schedule, now: number, lead: string): string[] {
  const pad = ' '.repeat(lead.length)
  return [
    `${lead}${s.namespace} ${s.name}: "${s.cron}" in ${s.tz}, reports to ${s.channel}, as \`${s.text}\``,
    `${pad}next: ${nextText(s, now)}`,
    `${pad}missed: ${s.missed} (${missedPolicyText(s)})`,
  ]
}
