// Pure chat texts for the Metaflow verbs that depend on the thread: help, the watch notices, the
// "run started" notice, and the answers about a run started from chat whose id is not known yet.
import type { MetaflowConfig, MetaflowFlowConfig } from '../config/metaflow-config.ts'
import { failureText, type FailureDetail } from './failure.ts'
import { statusPhrase } from './format.ts'
import type { RunStatus } from './status.ts'

export interface ThreadState {
  flow: string
  runId: string | null
  watching: boolean
  /** the ebmbot run that started the flow, and its state, when one did */
  ebmbot?: { id: number; state: string; started?: boolean }
}

export const pathspecOf = (t: Pick<ThreadState, 'flow' | 'runId'>) =>
  t.runId ? `${t.flow}/${t.runId}` : t.flow

/**
 * The flows the asker may start (`startableFlows`), each with its description and the help of
 * its parameters: `HelloFlow` (says hello; alpha: a number, mode: fast|full).
 */
export function runnableFlows(mf: MetaflowConfig, flows: readonly MetaflowFlowConfig[]): string {
  if (!flows.length)
    return Object.keys(mf.flows).length ? 'none here.' : 'No flows are set up to run from chat.'
  return flows
    .map((f) => {
      const params = f.params.map((p) =>
        p.choices ? `${p.name}: ${p.choices.join('|')}` : p.help ? `${p.name}: ${p.help}` : p.name,
      )
      const about = [f.description || null, params.length ? params.join(', ') : null]
        .filter(Boolean)
        .join('; ')
      return `\`${f.flow}\`${about ? ` (${about})` : ''}`
    })
    .join(', ')
}

/** Under the job queue's `status`: how `status` comes to mean a Metaflow run instead. */
export const METAFLOW_STATUS_HINT =
  'For a Metaflow run, open it first: `inspect <run>` (e.g. `inspect the latest run of HelloFlow`); `status` in that thread is then about it.'

/** Help where no run is chosen: everything, with the flows this bot may start. */
export function metaflowHelp(
  mf: MetaflowConfig,
  where: string,
  startable: readonly MetaflowFlowConfig[],
): string {
  return [
    `Metaflow (${where}). Say:`,
    '• `flows`: the flows there are',
    '• `runs <Flow>`: its recent runs with status, user, start, duration and tags',
    '• `inspect <run>`: open a run in this thread, e.g. `inspect HelloFlow/12`, `inspect the latest run of HelloFlow` (`how to inspect` lists every way)',
    '• `watch <run>`: open it and post here when it finishes, fails or is lost',
    '• `params <Flow>`: the parameters chat may set, with their help and defaults (`how to set parameters`)',
    `• \`run <Flow> [name=value …]\`: start a flow (\`how to run\`). Flows you may start: ${runnableFlows(mf, startable)}`,
    'In a thread with a run: `status`, `steps`, `params`, `data`, `data <name>`, `logs <step>`, `export`, `runs`, `watch`, `quiet`, `loud`. Also: `how to run`, `how to set parameters`, `version`.',
  ].join('\n')
}

/** Help in a thread that follows a run: what can be asked about this run, here. */
export function threadHelp(t: ThreadState): string {
  const lines: string[] = []
  if (!t.runId) {
    lines.push(
      `This thread is waiting for \`${t.flow}\` to start${t.ebmbot ? ` (run ${t.ebmbot.id} ${jobState(t.ebmbot.state)})` : ''}; Metaflow has not given it a run id yet.`,
    )
  } else {
    lines.push(
      `This thread follows \`${pathspecOf(t)}\`${t.ebmbot ? `, started here as run ${t.ebmbot.id}` : ''}. Ask here:`,
    )
    lines.push(
      "• `status`: how it is doing · `steps`: each step's tasks and time · `params`: its parameters",
      "• `data`: its artifacts · `data <name>`: one value · `data <step>`: a step's artifacts",
      "• `logs <step>`: a step's output (`logs <step> stderr` for errors)",
      '• `export`: its metadata as a JSON file',
    )
  }
  lines.push(
    t.watching
      ? '• I will post here when it finishes, fails or is lost; `quiet` stops that (`loud` turns it back on).'
      : '• `watch`: post here when it finishes, fails or is lost.',
  )
  if (
    t.ebmbot &&
    (t.ebmbot.state === 'running' ||
      t.ebmbot.state === 'pending' ||
      t.ebmbot.state === 'awaiting_approval')
  )
    lines.push(`• \`cancel\`: stop run ${t.ebmbot.id}`)
  if (t.ebmbot?.state === 'awaiting_approval')
    lines.push(
      `• \`yes\` / \`no\`: approve or deny run ${t.ebmbot.id} (the requester or an approver)`,
    )
  else if (t.ebmbot) lines.push('• `rerun`: start it again with the same parameters')
  lines.push(
    '• `runs`: the other runs of this flow · `inspect <another run>` switches this thread to it (a run still followed keeps its notices here).',
  )
  return lines.join('\n')
}

/** The once-per-transition watch notice; a failure says what the step raised when it is known. */
export function watchNotice(
  pathspec: string,
  st: RunStatus,
  failure: FailureDetail | null = null,
): string {
  switch (st.status) {
    case 'finished':
      return `:white_check_mark: \`${pathspec}\` ${statusPhrase(st)}.`
    case 'failed': {
      if (failure) return `:x: \`${pathspec}\` ${statusPhrase(st)}.\n${failureText(failure)}`
      const step = st.failedSteps[0]
      return `:x: \`${pathspec}\` ${statusPhrase(st)}.${step ? ` Say \`logs ${step} stderr\` to see why.` : ''}`
    }
    case 'lost':
      return `:warning: \`${pathspec}\` is lost: ${st.reason}.`
    case 'cancelled':
      return `:no_entry_sign: \`${pathspec}\` ${statusPhrase(st)}.`
    case 'running':
      return `\`${pathspec}\` is ${statusPhrase(st)}.`
  }
}

/**
 * The parameters a run was given, in two parts: "with alpha=0.5" (or "with the flow's defaults")
 * and, for the settable ones left out, "(`mode` takes the flow's default)".
 */
export function paramsUsed(
  given: Record<string, string>,
  flow: Pick<MetaflowFlowConfig, 'flow' | 'params'> | undefined,
): { given: string; defaults: string } {
  const set = Object.entries(given).map(
    ([k, v]) => `${k}=${/[\s"']/.test(v) || v === '' ? JSON.stringify(v) : v}`,
  )
  const rest = (flow?.params ?? []).map((p) => p.name).filter((n) => !(n in given))
  const names = rest.map((n) => `\`${n}\``).join(', ')
  // A reminder that there was a choice: which parameters chat could have set, and where to see them.
  if (!set.length)
    return {
      given: "with the flow's defaults",
      defaults: rest.length && flow ? ` (chat may set ${names}: \`params ${flow.flow}\`)` : '',
    }
  return {
    given: `with ${set.join(' ')}`,
    defaults: rest.length
      ? ` (${names} take${rest.length === 1 ? 's' : ''} the flow's default${rest.length === 1 ? '' : 's'})`
      : '',
  }
}

export function startedNotice(
  pathspec: string,
  ebmbotRunId: number,
  watching: boolean,
  used?: { given: string; defaults: string },
): string {
  const follow = watching
    ? " I'll post here when it finishes, fails or is lost (`quiet` stops that)."
    : ''
  return `:rocket: Run ${ebmbotRunId} started \`${pathspec}\`${used ? ` ${used.given}${used.defaults}` : ''}.${follow} Ask here: \`status\`, \`steps\`, \`params\`, \`logs <step>\`, \`help\`.`
}

/** `status` and friends before the flow has reported its run id. */
export function notStartedYet(t: ThreadState): string {
  const how = t.ebmbot ? ` Run ${t.ebmbot.id} ${jobState(t.ebmbot.state)}.` : ''
  const final = t.ebmbot && !['pending', 'running', 'awaiting_approval'].includes(t.ebmbot.state)
  if (final && t.ebmbot?.started === false) return `\`${t.flow}\` was never started.${how}`
  return final
    ? `\`${t.flow}\` never reported a Metaflow run id.${how} Its report above says why; \`logs\` shows its output.`
    : `\`${t.flow}\` has not started a Metaflow run yet.${how}`
}

/** "Run 5 is queued", "Run 5 failed", "Run 5 was cancelled". */
function jobState(state: string): string {
  const words: Record<string, string> = {
    awaiting_approval: 'is waiting for approval',
    pending: 'is queued',
    running: 'is running',
    succeeded: 'succeeded',
    failed: 'failed',
    timed_out: 'timed out',
    cancelled: 'was cancelled',
    lost: 'was lost when the bot restarted',
  }
  return words[state] ?? `is ${state}`
}
