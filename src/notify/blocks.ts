// Block Kit builders for interactive messages (pure). Buttons carry the run id as their value;
// the action ids are what the Slack listener dispatches on.
import type { KnownBlock } from '@slack/types'

export const ACTIONS = {
  approve: 'ebmbot_approve',
  deny: 'ebmbot_deny',
  cancel: 'ebmbot_cancel',
  rerun: 'ebmbot_rerun',
  logs: 'ebmbot_logs',
} as const
export type ButtonAction = keyof typeof ACTIONS

export const actionOf = (actionId: string): ButtonAction | undefined =>
  (Object.keys(ACTIONS) as ButtonAction[]).find((k) => ACTIONS[k] === actionId)

const button = (
  action: ButtonAction,
  text: string,
  runId: number,
  style?: 'primary' | 'danger',
) => ({
  type: 'button' as const,
  action_id: ACTIONS[action],
  text: { type: 'plain_text' as const, text },
  value: String(runId),
  ...(style ? { style } : {}),
})

type Buttons = [ButtonAction, string, ('primary' | 'danger')?][]

/** A mrkdwn section: Slack takes at most 3,000 characters in one. */
export const sectionBlock = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: text.slice(0, 3000) },
})

/** A run's buttons; the block id ties them to the run. */
const actionsBlock = (runId: number, buttons: Buttons): KnownBlock => ({
  type: 'actions',
  block_id: `run_${runId}`,
  elements: buttons.map(([a, t, s]) => button(a, t, runId, s)),
})

/** A text section followed by the given buttons. */
export function withButtons(text: string, runId: number, buttons: Buttons): KnownBlock[] {
  return [sectionBlock(text), actionsBlock(runId, buttons)]
}

export const approvalBlocks = (text: string, runId: number) =>
  withButtons(text, runId, [
    ['approve', 'Approve', 'primary'],
    ['deny', 'Deny', 'danger'],
  ])
export const runningBlocks = (text: string, runId: number) =>
  withButtons(text, runId, [['cancel', 'Cancel', 'danger']])
export const finishedBlocks = (text: string, runId: number) =>
  withButtons(text, runId, [
    ['rerun', 'Rerun'],
    ['logs', 'Logs'],
  ])

/** Under a report: which run it is, and its Rerun and Logs buttons. */
export const reportControls = (runId: number, jobType: string): KnownBlock[] => [
  { type: 'context', elements: [{ type: 'mrkdwn', text: `Run ${runId} · \`${jobType}\`` }] },
  actionsBlock(runId, [
    ['rerun', 'Rerun'],
    ['logs', 'Logs'],
  ]),
]
