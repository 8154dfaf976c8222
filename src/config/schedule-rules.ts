// Load-time rules of `schedule:` on commands: a schedule runs a job, reports somewhere the job's
// channel rules allow, gives every capture a value, and has a name unique in its namespace.
import { paramNames, parsePattern } from '../syntax/pattern.ts'
import type { RuleIssue } from './rules.ts'
import type { ParsedConfig } from './schema.ts'

export function checkScheduleRules(config: ParsedConfig): RuleIssue[] {
  const issues: RuleIssue[] = []
  for (const [nsName, ns] of Object.entries(config.namespaces)) {
    const names = new Map<string, number>()
    ns.commands.forEach((cmd, i) => {
      const s = cmd.schedule
      if (!s) return
      const at = (...p: PropertyKey[]) => ['namespaces', nsName, 'commands', i, 'schedule', ...p]
      if (cmd.action !== 'schedule_job') {
        issues.push({
          path: at(),
          message: `only a command that runs a job can have a schedule (this one is ${cmd.action})`,
        })
        return
      }
      const name = s.name ?? cmd.job
      const earlier = names.get(name.toLowerCase())
      if (earlier !== undefined)
        issues.push({
          path: s.name ? at('name') : at(),
          message: `commands[${earlier}] already has a schedule named "${name}" in ${nsName}; give one of them another name`,
        })
      names.set(name.toLowerCase(), i)
      const channel = s.channel ?? ns.default_channel
      if (!channel)
        issues.push({
          path: at(),
          message: `a schedule reports somewhere: give it a channel, or the namespace ${nsName} a default_channel`,
        })
      const job = ns.jobs[cmd.job]
      for (const rule of [ns.allow, job?.allow])
        if (channel && rule?.channels.length && !rule.channels.includes(channel))
          issues.push({
            path: s.channel ? at('channel') : at(),
            message: `its runs would report in ${channel}, but ${rule === ns.allow ? `the ${nsName} commands` : `job ${cmd.job}`} may only be run in ${rule.channels.join(', ')}`,
          })
      const captures = paramNames(parsePattern(cmd.pattern))
      for (const p of captures)
        if (!(p in s.params))
          issues.push({
            path: at('params'),
            message: `the pattern "${cmd.pattern}" captures [${p}]: give the schedule a value for it (params: { ${p}: ... })`,
          })
      for (const p of Object.keys(s.params))
        if (!captures.includes(p))
          issues.push({
            path: at('params', p),
            message: `the pattern "${cmd.pattern}" captures no [${p}]`,
          })
    })
  }
  return issues
}
