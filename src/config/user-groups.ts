// The Slack user groups a config names: read by the Slack and web doors' access checks, and by a
// reload that compares them, without loading the Slack modules.
import type { Config } from './types.ts'

/** Every user group id the config mentions, in allow lists and approvers. */
export function configuredGroups(config: Config): string[] {
  const ids = new Set<string>()
  for (const ns of Object.values(config.namespaces)) {
    for (const g of [...(ns.allow?.groups ?? []), ...(ns.approvers?.groups ?? [])]) ids.add(g)
    for (const job of Object.values(ns.jobs))
      for (const g of [...(job.allow?.groups ?? []), ...(job.approvers?.groups ?? [])]) ids.add(g)
  }
  return [...ids]
}
