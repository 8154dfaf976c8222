// Cross-checks of the `metaflow` section the schema cannot express: its namespace must be free,
// flow and parameter names must stay unambiguous in chat, and no parameter may be a `run` option.
import { RESERVED_WORDS, type ParsedConfig } from './schema.ts'
import type { RuleIssue } from './rules.ts'

/**
 * Options of `python flow.py run` itself (MF `cli_components/run_cmds.py`) and names Metaflow keeps
 * for itself: a parameter spelled like one would let chat set run options, not flow parameters.
 */
const RUN_OPTION_NAMES = [
  'tag',
  'tags',
  'namespace',
  'user-namespace',
  'with',
  'decospecs',
  'run-id-file',
  'runner-attribute-file',
  'max-workers',
  'max-num-splits',
  'max-log-size',
  'params',
  'obj',
  'help',
  'origin-run-id',
]

export function checkMetaflowRules(config: ParsedConfig): RuleIssue[] {
  const mf = config.metaflow
  if (!mf) return []
  const issues: RuleIssue[] = []
  const ns = mf.namespace
  if (RESERVED_WORDS.includes(ns.toLowerCase())) {
    issues.push({
      path: ['metaflow', 'namespace'],
      message: `"${ns}" is a built-in command word; choose another namespace name`,
    })
  }
  const clash = Object.keys(config.namespaces).find((n) => n.toLowerCase() === ns.toLowerCase())
  if (clash) {
    issues.push({
      path: ['metaflow', 'namespace'],
      message: `namespace "${clash}" already exists; the Metaflow flows need a namespace of their own (set metaflow.namespace)`,
    })
  }
  const seen = new Map<string, string>()
  for (const [flow, f] of Object.entries(mf.flows)) {
    const other = seen.get(flow.toLowerCase())
    if (other)
      issues.push({
        path: ['metaflow', 'flows', flow],
        message: `"${flow}" and "${other}" differ only in case; chat could not tell them apart`,
      })
    seen.set(flow.toLowerCase(), flow)
    const names = Array.isArray(f.params) ? f.params : Object.keys(f.params)
    const lower = new Map<string, string>()
    for (const name of names) {
      const key = name.toLowerCase()
      if (RUN_OPTION_NAMES.includes(key.replace(/_/g, '-'))) {
        issues.push({
          path: ['metaflow', 'flows', flow, 'params'],
          message: `"${name}" is an option of \`run\` itself, not a flow parameter`,
        })
      }
      const dup = lower.get(key)
      if (dup !== undefined)
        issues.push({
          path: ['metaflow', 'flows', flow, 'params'],
          message: `parameters "${dup}" and "${name}" differ only in case`,
        })
      lower.set(key, name)
    }
  }
  return issues
}
