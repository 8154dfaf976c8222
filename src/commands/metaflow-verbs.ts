// The Metaflow verbs: `flows`, `runs <Flow>`, `inspect <run>`, `run <Flow> name=value…`, and in a
// thread that inspects a run, `status`, `steps`, `params`, `data`, `logs <step>`, `export`,
// `watch`, `quiet`, `cancel`, `rerun`, `help`. Pure: words in, a verb or a reply out.
//
// Precedence in a thread that inspects a Metaflow run: these verbs first; `cancel`/`rerun` then
// act on the ebmbot job that started the flow, when there is one. Elsewhere the run verbs keep
// `status`, `cancel N`, `logs N`, `quiet N`.
import { findFlow, type MetaflowFlowConfig } from '../config/metaflow-config.ts'
import type { Config } from '../config/types.ts'
import { formatNoRunChosen } from '../metaflow/format.ts'
import { parseRunSpec, RUN_SPEC_HELP, type RunSpec } from '../metaflow/run-spec.ts'
import { askerOf, mayRun, type Asker } from './access.ts'
import { closeNames, didYouMean } from '../metaflow/flow-names.ts'
import { parseFlowParams } from './metaflow-params.ts'
import { parseData, parseLogs } from './metaflow-verb-args.ts'
import { conversational, typoOfVerb, type TalkVerb } from './metaflow-talk.ts'
import type { Incoming } from './route.ts'
import type { RunVerb } from './run-verbs.ts'

export type MetaflowVerb =
  | { kind: 'flows' }
  | { kind: 'runs'; flow: string }
  /** without a spec: show the thread's run again; `watch <run>` also watches it */
  | { kind: 'inspect'; spec?: RunSpec; watch?: boolean }
  | { kind: 'status' }
  | { kind: 'steps' }
  | { kind: 'params' }
  | { kind: 'export' }
  /** `data`, `data <name or step>`, `data <step>[/<task>] [<name>]` */
  | { kind: 'data'; name?: string; step?: string; task?: string }
  /** without a step: say which steps there are */
  | { kind: 'logs'; step?: string; task?: string; stream: 'stdout' | 'stderr' }
  | { kind: 'watch' }
  | { kind: 'quiet' }
  | { kind: 'cancel' }
  /** with an id: that ebmbot run (any job; flows are rebuilt, others rerun as usual) */
  | { kind: 'rerun'; id?: number }
  /** `typed`: the name as written, when it was in another case */
  | { kind: 'run'; flow: string; params: Record<string, string>; typed?: string }
  | { kind: 'help' }
  /** `params <Flow>`: what chat may set before starting it */
  | { kind: 'flow-params'; flow: string }
  | TalkVerb
  | { kind: 'reply'; text: string }

export type MetaflowDecision = { kind: 'metaflow'; verb: MetaflowVerb }

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Verbs that need a chosen run; elsewhere they explain how to choose one. */
const RUN_DETAIL = ['steps', 'params', 'export', 'data']

const verb = (v: MetaflowVerb): MetaflowDecision => ({ kind: 'metaflow', verb: v })

/** Verbs that are one word alone, and what each means (a Map: chat words are never object keys). */
const ONE_WORD_VERBS = new Map<
  string,
  | 'status'
  | 'steps'
  | 'params'
  | 'export'
  | 'watch'
  | 'quiet'
  | 'cancel'
  | 'rerun'
  | 'help'
  | 'inspect'
>([
  ['status', 'status'],
  ['steps', 'steps'],
  ['params', 'params'],
  ['export', 'export'],
  ['watch', 'watch'],
  ['quiet', 'quiet'],
  // `loud` undoes `quiet`, as it does for a job's thread.
  ['loud', 'watch'],
  ['cancel', 'cancel'],
  ['rerun', 'rerun'],
  ['help', 'help'],
  ['inspect', 'inspect'],
])
const reply = (text: string) => verb({ kind: 'reply', text })

/**
 * Called by the router right after the run verbs are parsed (`runVerb`), so it can take over the
 * ones that mean something else in a Metaflow thread. Null: not a Metaflow verb.
 */
export function parseMetaflowVerb(
  config: Config,
  msg: Incoming,
  ws: string[],
  runVerb: RunVerb | null,
): MetaflowDecision | null {
  const lower = ws.map((w) => w.toLowerCase())
  const mf = config.metaflow
  if (!mf) {
    // These words are reserved, so no namespace answers to them: say why nothing happens.
    return ['flows', 'runs', 'run', 'inspect', 'watch'].includes(lower[0] ?? '')
      ? reply('Metaflow is not set up for this bot (the config has no `metaflow` section).')
      : null
  }
  const ns = mf.namespace.toLowerCase()
  let words = ws
  let low = lower
  let viaNamespace = false
  if (
    (low[0] === 'help' && low[1] === ns && low.length === 2) ||
    (low[0] === ns && (low.length === 1 || (low[1] === 'help' && low.length === 2)))
  ) {
    return guard(config, msg, verb({ kind: 'help' }))
  }
  if (low[0] === ns) {
    // `metaflow runs HelloFlow` works like `runs HelloFlow`.
    words = ws.slice(1)
    low = lower.slice(1)
    viaNamespace = true
  }
  if (
    low.join(' ') === 'how to inspect' ||
    (low[0] === 'help' && low[1] === 'inspect' && low.length === 2)
  )
    return guard(config, msg, reply(RUN_SPEC_HELP))
  // A namespace called `hello` or `version` keeps its word.
  const talk = namespaceNamed(config, low[0]) ? null : conversational(low)
  if (talk) return guard(config, msg, verb(talk))
  const parsed =
    (msg.threadMetaflow !== undefined ? inThread(low, words, runVerb) : null) ??
    anywhere(config, msg, low, words, runVerb) ??
    typo(config, msg, low, words, runVerb)
  if (!parsed && viaNamespace)
    return reply(
      `Sorry, I didn't understand that. Say \`${mf.namespace} help\` for the Metaflow commands.`,
    )
  // A spelling hint gives nothing away, so it needs no access check.
  if (parsed?.verb.kind === 'did-you-mean') return parsed
  return parsed ? guard(config, msg, parsed) : null
}

/** The flows' namespace rules (guests, allow lists) cover every Metaflow verb. */
function guard(config: Config, msg: Incoming, d: MetaflowDecision): MetaflowDecision {
  const ns = config.namespaces[config.metaflow!.namespace]
  // `rerun N` may name any job: the action applies that job's own rules.
  if (!ns || (d.verb.kind === 'rerun' && d.verb.id !== undefined)) return d
  const asker = askerOf(msg)
  const job =
    d.verb.kind === 'run' ? ns.jobs[findFlow(config.metaflow!, d.verb.flow)!.job] : undefined
  const verdict = mayRun(ns, job, asker)
  return verdict.ok ? d : reply(`Sorry, ${verdict.reason}.`)
}

function inThread(
  low: string[],
  words: string[],
  runVerb: RunVerb | null,
): MetaflowDecision | null {
  const [first, ...rest] = low
  if (low.length === 1 && first !== undefined) {
    const kind = ONE_WORD_VERBS.get(first)
    if (kind) return verb({ kind })
  }
  if (first === 'data') return parseData(words.slice(1))
  if (first === 'logs') {
    // `logs`, `logs stderr`, `logs 100` stay the ebmbot job's logs when the thread has a job.
    if (runVerb?.kind === 'logs') return null
    if (rest.every((w) => w === 'stdout' || w === 'stderr'))
      return verb({ kind: 'logs', stream: rest.includes('stderr') ? 'stderr' : 'stdout' })
    return parseLogs(words.slice(1))
  }
  return null
}

function anywhere(
  config: Config,
  msg: Incoming,
  low: string[],
  words: string[],
  runVerb: RunVerb | null,
): MetaflowDecision | null {
  const [first, ...rest] = low
  switch (first) {
    case 'flows':
      return rest.length ? null : verb({ kind: 'flows' })
    case 'show':
      if (low[1] !== 'runs') return null
      return anywhere(config, msg, low.slice(1), words.slice(1), runVerb)
    case 'params':
      if (rest.length !== 1) break
      if (!IDENT.test(words[1]!))
        return reply(
          'Usage: `params <Flow>`, e.g. `params HelloFlow`. Say `flows` for the flows there are.',
        )
      return verb({ kind: 'flow-params', flow: words[1]! })
    case 'runs': {
      // In a thread that follows a run, `runs` alone lists that flow's runs.
      if (rest.length === 0 && msg.threadMetaflow !== undefined)
        return verb({ kind: 'runs', flow: msg.threadMetaflow.split('/')[0]! })
      const flow = words[1]
      if (rest.length !== 1 || !IDENT.test(flow!))
        return reply(
          'Usage: `runs <Flow>`, e.g. `runs HelloFlow`. Say `flows` for the flows there are.',
        )
      return verb({ kind: 'runs', flow: flow! })
    }
    case 'inspect':
    case 'watch': {
      const text = words.slice(1).join(' ')
      if (!text)
        return reply(
          first === 'watch'
            ? `Nothing to watch in this thread yet: say \`watch <run>\` or \`inspect <run>\` first.\n${RUN_SPEC_HELP}`
            : formatNoRunChosen(),
        )
      const spec = parseRunSpec(text)
      if (!spec.ok) return reply(spec.error)
      return verb({
        kind: 'inspect',
        spec: spec.spec,
        ...(first === 'watch' ? { watch: true } : {}),
      })
    }
    case 'run':
      return parseRun(config, msg, words)
    case 'rerun':
      // Only `rerun N`: a flow's rerun rebuilds its command; other jobs are rerun as before.
      return runVerb?.kind === 'rerun' && rest.length === 1
        ? verb({ kind: 'rerun', id: runVerb.id })
        : null
  }
  if (first === undefined) return null
  // Asking for run details with no run chosen: explain how to choose one, unless a namespace has the word.
  const namespaceNamed = Object.keys(config.namespaces).some((n) => n.toLowerCase() === first)
  if (!namespaceNamed && RUN_DETAIL.includes(first) && (first === 'data' || rest.length === 0))
    return reply(formatNoRunChosen())
  // `logs <step>` (the run verbs took `logs N` and `logs stderr`).
  if (first === 'logs' && runVerb === null && rest.length >= 1) return reply(formatNoRunChosen())
  return null
}

const namespaceNamed = (config: Config, word: string | undefined) =>
  word !== undefined && Object.keys(config.namespaces).some((n) => n.toLowerCase() === word)

/** A typo of a Metaflow verb, unless a namespace or a run verb has that word. */
function typo(
  config: Config,
  msg: Incoming,
  low: string[],
  words: string[],
  runVerb: RunVerb | null,
): MetaflowDecision | null {
  if (runVerb || namespaceNamed(config, low[0])) return null
  const t = typoOfVerb(low, words, msg.threadMetaflow !== undefined)
  return t ? verb(t) : null
}

/** The configured flows this asker may start here (the flow's and the namespace's rules), by name. */
export function startableFlows(config: Config, asker: Asker): MetaflowFlowConfig[] {
  const mf = config.metaflow
  const ns = mf && config.namespaces[mf.namespace]
  if (!mf || !ns) return []
  return Object.values(mf.flows)
    .filter((f) => mayRun(ns, ns.jobs[f.job], asker).ok)
    .sort((a, b) => a.flow.localeCompare(b.flow))
}

function parseRun(config: Config, msg: Incoming, words: string[]): MetaflowDecision {
  const mf = config.metaflow!
  const names = startableFlows(config, askerOf(msg)).map((f) => f.flow)
  const known = names.length
    ? `Flows you may run: ${names.map((n) => `\`${n}\``).join(', ')}.`
    : Object.keys(mf.flows).length
      ? 'There is no flow you may start here.'
      : 'No flows are set up to run from chat (metaflow.flows in the config).'
  const name = words[1]
  if (!name) return reply(`Usage: \`run <Flow> [name=value …]\`. ${known}`)
  const flow = findFlow(mf, name)
  if (!flow) {
    const close = closeNames(name, names)
    return reply(`\`${name}\` is not a flow I may run.${didYouMean(close)} ${known}`)
  }
  const params = parseFlowParams(flow, words.slice(2).join(' '))
  if (!params.ok) return reply(`${params.error} Nothing was started.`)
  return verb({
    kind: 'run',
    flow: flow.flow,
    params: params.params,
    ...(flow.flow !== name ? { typed: name } : {}),
  })
}
