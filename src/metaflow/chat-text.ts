// Pure chat texts for the Metaflow verbs that depend on the thread: help, the watch notices, the
// "run started" notice, and the answers about a run started from chat whose id is not known yet.
import type { MetaflowConfig, MetaflowFlowConfig } from '../config/metaflow-config.ts'
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

/** `HelloFlow` (alpha, seconds) for the list of flows the asker may start (`startableFlows`). */
function runnableFlows(mf: MetaflowConfig, flows: readonly MetaflowFlowConfig[]): string {
  if (!flows.length)
    return Object.keys(mf.flows).length ? 'none here.' : 'No flows are set up to run from chat.'
  return flows
    .map(
      (f) =>
        `\`${f.flow}\`${f.params.length ? ` (${f.params.map((p) => (p.choices ? `${p.name}: ${p.choices.join('|')}` : p.name)).join(', ')})` : ''}`,
    )
    .join(', ')
}

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
    `• \`run <Flow> [name=value …]\`: start a flow. Flows you may start: ${runnableFlows(mf, startable)}`,
    'In a thread with a run: `status`, `steps`, `params`, `data`, `data <name>`, `logs <step>`, `export`, `watch`, `quiet`.',
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
      ? '• I will post here when it finishes, fails or is lost; `quiet` stops that.'
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
  lines.push('• `inspect <another run>` switches this thread to it.')
  return lines.join('\n')
}

/** The once-per-transition watch notice. */
export function watchNotice(pathspec: string, st: RunStatus): string {
  switch (st.status) {
    case 'finished':
      return `:white_check_mark: \`${pathspec}\` ${statusPhrase(st)}.`
    case 'failed': {
      const step = st.failedSteps[0]
      return `:x: \`${pathspec}\` ${statusPhrase(st)}.${step ? ` Say \`logs ${step} stderr\` to see why.` : ''}`
    }
    case 'lost':
      return `:warning: \`${pathspec}\` is lost: ${st.reason}.`
    case 'running':
      return `\`${pathspec}\` is ${statusPhrase(st)}.`
  }
}

export function startedNotice(pathspec: string, ebmbotRunId: number, watching: boolean): string {
  const follow = watching
    ? " I'll post here when it finishes, fails or is lost (`quiet` stops that)."
    : ''
  return `:rocket: Run ${ebmbotRunId} started \`${pathspec}\`.${follow} Ask here: \`status\`, \`steps\`, \`logs <step>\`, \`help\`.`
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
