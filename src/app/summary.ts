// `ebmbot config check`: a short summary of a valid config.
import { patternText } from '../commands/pattern.ts'
import type { Config } from '../config/types.ts'

export function configSummary(config: Config): string {
  const out = [`${config.source}: OK`]
  for (const ns of Object.values(config.namespaces)) {
    out.push(`namespace ${ns.name}${ns.restricted ? ' (restricted)' : ''}: ${Object.keys(ns.jobs).length} jobs, ${ns.commands.length} commands, workdir ${ns.workdir}`)
    for (const c of ns.commands) out.push(`  ${ns.name} ${patternText(c.tokens)}  ->  ${c.action} ${ns.name}_${c.job}${c.delaySeconds ? ` (after ${c.delaySeconds}s)` : ''}`)
  }
  const s = config.settings
  out.push(`settings: max_parallel=${s.max_parallel} default_timeout=${s.default_timeout}s kill_grace=${s.kill_grace}s`)
  return out.join('\n')
}
