// Cross-checks of the `github` section, at load, so a delivery can never be accepted for a
// trigger that could not run: the job exists, every placeholder is supplied, the run has a
// channel to report in, and each filter means something for the trigger's event.
import { placeholders } from '../syntax/template.ts'
import { FILTER_FIELDS, type FilterName } from './github-schema.ts'
import type { RuleIssue } from './rules.ts'
import type { ParsedConfig } from './schema.ts'

export function checkGithubRules(config: ParsedConfig): RuleIssue[] {
  const issues: RuleIssue[] = []
  for (const [project, p] of Object.entries(config.github?.projects ?? {})) {
    p.triggers.forEach((t, i) => {
      const at = (...k: PropertyKey[]) => ['github', 'projects', project, 'triggers', i, ...k]
      if (t.event === 'ping') {
        issues.push({
          path: at('event'),
          message: 'ping is answered by ebmbot itself (200) and cannot trigger a job',
        })
      }
      for (const filter of Object.keys(FILTER_FIELDS) as FilterName[]) {
        const events: Record<string, string> = FILTER_FIELDS[filter]
        if (t[filter] !== undefined && !(t.event in events)) {
          issues.push({
            path: at(filter),
            message: `${filter} applies to ${Object.keys(events).join(', ')} events, not ${t.event}; use where: {<payload field>: <value>} for other fields`,
          })
        }
      }
      const ns = Object.hasOwn(config.namespaces, t.namespace)
        ? config.namespaces[t.namespace]
        : undefined
      if (!ns) {
        issues.push({
          path: at('namespace'),
          message: `no namespace "${t.namespace}" (namespaces: ${Object.keys(config.namespaces).join(', ')})`,
        })
        return
      }
      const job = Object.hasOwn(ns.jobs, t.job) ? ns.jobs[t.job] : undefined
      if (!job) {
        const known = Object.keys(ns.jobs)
        issues.push({
          path: at('job'),
          message: `no job "${t.job}" in namespace ${t.namespace}${known.length ? ` (jobs: ${known.join(', ')})` : ' (it has no jobs)'}`,
        })
        return
      }
      for (const name of placeholders(job.run)) {
        if (!(name in t.params)) {
          issues.push({
            path: at('params'),
            message: `job ${t.job} uses [${name}] but this trigger does not supply it; add params: {${name}: <payload field, e.g. pull_request.head.ref>}`,
          })
        }
      }
      if (!t.channel && !ns.default_channel) {
        issues.push({
          path: at(),
          message: `the run needs a channel to report in: set channel here or namespaces.${t.namespace}.default_channel`,
        })
      }
    })
  }
  return issues
}
