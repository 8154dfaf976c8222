// What the bot sends, as stored in the outbox: transport-neutral, so a chat session prints what
// the Slack notifier would post.
import type { KnownBlock } from '@slack/types'

export type Purpose = 'reply' | 'report' | 'notice' | 'escalation' | 'ack' | 'progress'

export interface MessageOut {
  kind: 'message'
  purpose: Purpose
  channel: string
  /** the reply spot; null posts top-level */
  threadTs?: string | null
  text: string
  /** Block Kit (a `blocks` job's, or the bot's buttons); on rejection the transport falls back to text */
  blocks?: KnownBlock[]
  /** the blocks only dress `text` (with the run's buttons): if Slack refuses them, `text` alone is posted */
  blocksDress?: boolean
  /** long output: uploaded as a file, `text` is the comment posted with it */
  file?: { filename: string; content: string }
  /** escalations link to the original request; the transport resolves the permalink */
  linkTo?: { channel: string; ts: string }
  /** a short notice that another message could not be posted; never itself replaced */
  fallback?: boolean
}

export interface ReactionOut {
  kind: 'reaction'
  purpose: 'ack'
  channel: string
  ts: string
  name: string
  /** what was accepted (`run 5`), for transports without reactions */
  label?: string
}

/** An edit of a message sent earlier (live progress): `editOf` is that message's outbox row. */
export interface UpdateOut {
  kind: 'update'
  purpose: 'progress'
  channel: string
  editOf: number
  text: string
  blocks?: KnownBlock[]
}

export type Outgoing = MessageOut | ReactionOut | UpdateOut

/** Slack keeps messages readable under 4,000 characters; longer output goes as a file. */
export const MESSAGE_LIMIT = 4000
