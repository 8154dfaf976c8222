// A command's parsed `schedule:` as the bot reads it (see Schedule in types.ts); the rules have
// made sure a channel exists and every capture has a value.
import { parsePattern } from '../syntax/pattern.ts'
import type { ParsedConfig, Settings } from './schema.ts'
import type { Schedule } from './types.ts'

type ParsedNamespace = ParsedConfig['namespaces'][string]
type ParsedCommand = ParsedNamespace['commands'][number]

export function compileSchedule(
  namespace: string,
  ns: ParsedNamespace,
  c: ParsedCommand,
  settings: Settings,
): Schedule {
  const s = c.schedule!
  const name = s.name ?? c.job
  const words = parsePattern(c.pattern).map((t) =>
    t.kind === 'word' ? t.word : (s.params[t.name] ?? ''),
  )
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    job: c.job,
    cron: s.cron,
    tz: s.tz,
    channel: (s.channel ?? ns.default_channel)!,
    params: s.params,
    text: [namespace, ...words].join(' '),
    missed: s.missed,
    graceSeconds: s.grace ?? settings.schedule_grace,
  }
}
