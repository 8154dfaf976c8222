// The built-in schedule verbs: `schedules [namespace]` lists them; `skip next`, `pause` and
// `resume` name one schedule as `<namespace> <name>` (or `<namespace>/<name>`) and follow the
// access rules of the job it runs. Pure: the caller reads and writes the queue.
import type { Config, Schedule } from '../config/types.ts'
import { schedulesOf } from '../config/types.ts'
import { type Asker, mayRun } from './access.ts'

export type ScheduleDecision =
  | { kind: 'schedules'; schedules: Schedule[]; namespace?: string }
  | { kind: 'schedule_control'; action: 'skip' | 'pause' | 'resume'; schedule: Schedule }

type Reply = { kind: 'reply'; text: string }

const usage = (prefix: string) =>
  `Usage: \`${prefix}schedules [namespace]\`, \`${prefix}skip next [namespace] [schedule]\`, \`${prefix}pause [namespace] [schedule]\`, \`${prefix}resume [namespace] [schedule]\`.`

/** The schedules of jobs the asker may run (guests see what members would, as in help). */
export function visibleSchedules(config: Config, asker: Asker): Schedule[] {
  return schedulesOf(config).filter((s) => {
    const ns = config.namespaces[s.namespace]!
    return mayRun(ns, ns.jobs[s.job], { ...asker, isGuest: false }).ok
  })
}

/** Null when the words are not a schedule verb. */
export function parseScheduleVerb(
  config: Config,
  lower: readonly string[],
  asker: Asker,
  prefix = '',
): ScheduleDecision | Reply | null {
  const [verb, ...rest] = lower
  const all = schedulesOf(config)
  const mine = new Set(visibleSchedules(config, asker))
  const visible = (s: Schedule) => mine.has(s)
  if (verb === 'schedules') {
    if (rest.length > 1) return { kind: 'reply', text: usage(prefix) }
    const ns = rest[0]
    if (ns && !Object.keys(config.namespaces).some((n) => n.toLowerCase() === ns))
      return { kind: 'reply', text: `There is no namespace called \`${ns}\`. ${usage(prefix)}` }
    const schedules = all.filter((s) => visible(s) && (!ns || s.namespace.toLowerCase() === ns))
    return { kind: 'schedules', schedules, ...(ns ? { namespace: ns } : {}) }
  }
  const action =
    verb === 'skip' && rest[0] === 'next'
      ? 'skip'
      : verb === 'pause' || verb === 'resume'
        ? verb
        : null
  if (!action) return verb === 'skip' ? { kind: 'reply', text: usage(prefix) } : null
  const words = action === 'skip' ? rest.slice(1) : rest
  const [ns, name] = words.length === 1 ? (words[0]!.split('/') as [string, string?]) : words
  if (!ns || !name || words.length > 2) return { kind: 'reply', text: usage(prefix) }
  const schedule = all.find(
    (s) => s.namespace.toLowerCase() === ns && s.name.toLowerCase() === name,
  )
  if (!schedule) {
    const known = all.filter(visible).map((s) => `\`${s.namespace} ${s.name}\``)
    return {
      kind: 'reply',
      text: `There is no schedule \`${ns} ${name}\`. ${known.length ? `The schedules are: ${known.join(', ')}.` : 'No schedules are configured.'}`,
    }
  }
  const nsConf = config.namespaces[schedule.namespace]!
  const verdict = mayRun(nsConf, nsConf.jobs[schedule.job], asker)
  if (!verdict.ok) return { kind: 'reply', text: `Sorry, ${verdict.reason}.` }
  return { kind: 'schedule_control', action, schedule }
}
