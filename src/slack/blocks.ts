// Block Kit for the bot's messages (pure): text and a run's controls (door.ts) become a section
// and a row of buttons; a job's own blocks get the controls appended. Buttons carry the run id as
// their value; the action ids are what the Slack listener dispatches on.
import type { KnownBlock } from '@slack/types'
import type { ControlAction, Controls, MessageOut, UpdateOut } from '../app/door.ts'

const ACTIONS: Record<ControlAction, string> = {
  approve: 'ebmbot_approve',
  deny: 'ebmbot_deny',
  cancel: 'ebmbot_cancel',
  rerun: 'ebmbot_rerun',
  logs: 'ebmbot_logs',
}

export const actionOf = (actionId: string): ControlAction | undefined =>
  (Object.keys(ACTIONS) as ControlAction[]).find((k) => ACTIONS[k] === actionId)

/** A mrkdwn section: Slack takes at most 3,000 characters in one. */
const SECTION_LIMIT = 3000
const sectionBlock = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: text.slice(0, SECTION_LIMIT) },
})

/** Slack takes at most 50 blocks in one message. */
const MAX_BLOCKS = 50

/** The caption (if any) and the buttons; the block id ties them to the run. */
function controlBlocks(c: Controls): KnownBlock[] {
  const actions: KnownBlock = {
    type: 'actions',
    block_id: `run_${c.runId}`,
    elements: c.buttons.map((b) => ({
      type: 'button' as const,
      action_id: ACTIONS[b.action],
      text: { type: 'plain_text' as const, text: b.label },
      value: String(c.runId),
      ...(b.style ? { style: b.style } : {}),
    })),
  }
  return c.caption
    ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: c.caption }] }, actions]
    : [actions]
}

/**
 * The blocks to post, and whether they only dress the text (the bot's own buttons: if Slack
 * refuses them, the text alone is posted). Controls are left off where Slack could not take
 * them (text past a section's limit, a job's blocks with no room left): the text still goes.
 */
export function messageBlocks(
  msg: Pick<MessageOut, 'text' | 'controls' | 'jobBlocks'> | Pick<UpdateOut, 'text' | 'controls'>,
): { blocks: KnownBlock[]; dressOnly: boolean } | null {
  const job = 'jobBlocks' in msg ? (msg.jobBlocks as KnownBlock[] | undefined) : undefined
  // A row stored before controls existed carries its Block Kit ready-made.
  const legacy = (msg as { blocks?: KnownBlock[]; blocksDress?: boolean }).blocks
  if (legacy?.length)
    return { blocks: legacy, dressOnly: !!(msg as { blocksDress?: boolean }).blocksDress }
  const controls = msg.controls ? controlBlocks(msg.controls) : []
  if (job?.length)
    return {
      blocks: job.length + controls.length <= MAX_BLOCKS ? [...job, ...controls] : job,
      dressOnly: false,
    }
  if (!controls.length || msg.text.length > SECTION_LIMIT) return null
  return { blocks: [sectionBlock(msg.text), ...controls], dressOnly: true }
}
