// Parses the Metaflow bot's ways of naming a run and resolves them against a MetaflowSource.
import { MetaflowNotFoundError } from './errors.ts'
import { closeNames, didYouMean } from './flow-names.ts'
import type { MetaflowSource } from './source.ts'
import type { MetaflowRun } from './types.ts'

export interface RunSpec {
  flow: string
  /** an exact run: `HelloFlow/12` */
  runId?: string
  /** `savin's …`: requires the system tag `user:savin` */
  owner?: string
  /** `… tagged T`: requires T among the run's tags or system tags */
  tag?: string
  /** `latest run of` (or the extension `latest`): only the newest match */
  latestOnly: boolean
}

export type RunSpecParse = { ok: true; spec: RunSpec } | { ok: false; error: string }

export const RUN_SPEC_HELP = [
  'Name a run in one of these ways:',
  '• `HelloFlow/12`: that exact run',
  '• `HelloFlow`: the most recent runs of the flow',
  '• `the latest run of HelloFlow`',
  "• `savin's HelloFlow`, `savin's latest run of HelloFlow` or `savin's latest HelloFlow`",
  '• `HelloFlow tagged production` (any of the forms above can end with `tagged <tag>`)',
  'Flow names are case-sensitive.',
].join('\n')

const EXACT = /^([A-Za-z0-9_]+)\/([A-Za-z0-9_-]+)$/
// The shipped grammar: [OWNER's | the] [latest run of] FLOW[,] [tagged TAG], matched without regard to case.
// Deliberate changes: "latest FLOW" without "run of"; dots in OWNER (user names such as first.last);
// a space required after OWNER's, so that "savin's" alone is refused rather than read as flow "s".
const SEARCH =
  /^(?:(?:([A-Za-z0-9_.-]+)'s?\s+|the\s+))?(latest\s+run\s+of\s+|latest\s+)?([A-Za-z0-9_]+),?(?:\s+tagged(?:\s+(.*))?)?$/i

export function parseRunSpec(input: string): RunSpecParse {
  const text = input
    .trim()
    .replace(/[\u2018\u2019\u02bc]/g, "'") // Slack turns ' into typographic quotes
    .replace(/^`+|`+$/g, '') // and people wrap names in code spans
    .replace(/\s+/g, ' ')
    .trim()
  if (!text) return { ok: false, error: `Which run? ${RUN_SPEC_HELP}` }

  const exact = EXACT.exec(text)
  if (exact) return { ok: true, spec: { flow: exact[1]!, runId: exact[2]!, latestOnly: false } }
  if (/^[A-Za-z0-9_]+\/[A-Za-z0-9_-]+\//.test(text)) {
    return {
      ok: false,
      error: `\`${text}\` names a step or task; give the run only, e.g. \`${text.split('/').slice(0, 2).join('/')}\``,
    }
  }
  if (text.includes('/'))
    return {
      ok: false,
      error: `\`${text}\` is not a run id: use \`Flow/RunId\`, e.g. \`HelloFlow/12\``,
    }

  const m = SEARCH.exec(text)
  if (!m)
    return {
      ok: false,
      error: `I could not tell which run \`${text}\` means (say \`how to inspect\` for the ways to name one).`,
    }
  const [, owner, latest, flow, tagPart] = m
  if (m[0].match(/\stagged\s*$/i) || (tagPart !== undefined && !tagPart.trim())) {
    return { ok: false, error: 'Say which tag after `tagged`, e.g. `HelloFlow tagged production`.' }
  }
  const spec: RunSpec = { flow: flow!, latestOnly: latest !== undefined }
  if (owner) spec.owner = owner
  const tag = tagPart?.trim().replace(/^["'`]|["'`]$/g, '')
  if (tag) spec.tag = tag
  return { ok: true, spec }
}

export type RunResolution =
  | { kind: 'run'; run: MetaflowRun }
  /** several matches, newest first: the user should pick one by id */
  | { kind: 'candidates'; runs: MetaflowRun[] }
  | { kind: 'not-found'; reason: 'flow' | 'run' | 'no-match'; message: string }

export interface ResolveOptions {
  /** how many candidates to list; default 5, as the Slack bot did */
  maxCandidates?: number
}

/** Finds the runs a spec names, newest first, across all users (the bot's global namespace). */
export async function resolveRunSpec(
  source: MetaflowSource,
  spec: RunSpec,
  options: ResolveOptions = {},
): Promise<RunResolution> {
  const max = options.maxCandidates ?? 5
  if (spec.runId !== undefined) {
    try {
      return { kind: 'run', run: await source.getRun(spec.flow, spec.runId) }
    } catch (err) {
      if (!(err instanceof MetaflowNotFoundError)) throw err
      const missingFlow = await flowMissing(source, spec.flow)
      if (missingFlow) return missingFlow
      return {
        kind: 'not-found',
        reason: 'run',
        message: `Run \`${spec.flow}/${spec.runId}\` was not found.`,
      }
    }
  }

  const requiredTags = [spec.owner ? `user:${spec.owner}` : null, spec.tag ?? null].filter(
    (t): t is string => t !== null,
  )
  let runs: MetaflowRun[]
  try {
    runs = await source.listRuns(spec.flow, { requiredTags, limit: spec.latestOnly ? 1 : max })
  } catch (err) {
    if (!(err instanceof MetaflowNotFoundError)) throw err
    runs = []
  }
  if (runs.length === 0) {
    // The service answers [] for the runs of a flow that does not exist; tell the two apart.
    const missingFlow = await flowMissing(source, spec.flow)
    if (missingFlow) return missingFlow
    return {
      kind: 'not-found',
      reason: 'no-match',
      message: `No runs of \`${spec.flow}\` match${describeFilter(spec)}.`,
    }
  }
  if (runs.length === 1 || spec.latestOnly) return { kind: 'run', run: runs[0]! }
  return { kind: 'candidates', runs: runs.slice(0, max) }
}

function describeFilter(spec: RunSpec): string {
  const parts = [
    spec.owner ? `started by ${spec.owner}` : null,
    spec.tag ? `tagged \`${spec.tag}\`` : null,
  ].filter(Boolean)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

async function flowMissing(source: MetaflowSource, flow: string): Promise<RunResolution | null> {
  try {
    await source.getFlow(flow)
    return null
  } catch (err) {
    if (!(err instanceof MetaflowNotFoundError)) throw err
  }
  const similar = await source.listFlows().then(
    (flows) =>
      closeNames(
        flow,
        flows.map((f) => f.flow_id),
      ),
    () => [],
  )
  const hint = `${didYouMean(similar)} Flow names are case-sensitive.`
  return { kind: 'not-found', reason: 'flow', message: `Flow \`${flow}\` was not found.${hint}` }
}
