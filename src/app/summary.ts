// `ebmbot config check`: a short summary of a valid config.
import { describeParam } from '../commands/param-check.ts'
import { patternText } from '../syntax/pattern.ts'
import type { Config } from '../config/types.ts'
import { scheduleSummary } from './schedule-summary.ts'

export function configSummary(config: Config, now = Date.now()): string {
  const out = [`${config.source}: OK`]
  for (const ns of Object.values(config.namespaces)) {
    out.push(
      `namespace ${ns.name}${ns.restricted ? ' (restricted)' : ''}: ${Object.keys(ns.jobs).length} jobs, ${ns.commands.length} commands, workdir ${ns.workdir}`,
    )
    for (const c of ns.commands) {
      out.push(
        `  ${ns.name} ${patternText(c.tokens)}  ->  ${c.action} ${ns.name}_${c.job}${c.delaySeconds ? ` (after ${c.delaySeconds}s)` : ''}`,
      )
      for (const [name, spec] of Object.entries(c.params))
        out.push(`      [${name}]: ${describeParam(spec)}`)
      if (c.schedule) out.push(...scheduleSummary(c.schedule, now, '      schedule '))
    }
  }
  for (const p of Object.values(config.github?.projects ?? {})) {
    out.push(
      `github project ${p.name}: POST /github/${p.name}, ${p.triggers.length} triggers${p.allowSha1 ? ' (SHA-1 allowed)' : ''}`,
    )
    for (const t of p.triggers) {
      const filters = [
        t.action && `action=${t.action.join('|')}`,
        t.merged !== undefined && `merged=${t.merged}`,
        t.baseBranch && `base=${t.baseBranch.join('|')}`,
        t.ref && `ref=${t.ref.join('|')}`,
        t.conclusion && `conclusion=${t.conclusion.join('|')}`,
      ].filter(Boolean)
      out.push(
        `  ${t.event}${filters.length ? ` [${filters.join(' ')}]` : ''}  ->  ${t.jobType}${t.delaySeconds ? ` (after ${t.delaySeconds}s)` : ''}, report to ${t.channel}`,
      )
    }
  }
  const mf = config.metaflow
  if (mf)
    out.push(
      `metaflow: ${[mf.serviceUrl && `service ${mf.serviceUrl}`, mf.datastoreSysroot && `datastore ${mf.datastoreSysroot}`].filter(Boolean).join(', ') || 'from the environment'}; flows chat may run: ${Object.keys(mf.flows).join(', ') || 'none'}`,
    )
  const s = config.settings
  out.push(
    `settings: max_parallel=${Number.isFinite(s.max_parallel) ? s.max_parallel : 'unlimited'} default_timeout=${s.default_timeout}s kill_grace=${s.kill_grace}s`,
  )
  for (const w of config.warnings ?? []) out.push(`warning: ${w}`)
  return out.join('\n')
}
