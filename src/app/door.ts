// The door contract. A front door (Slack, local chat, GitHub, a web page, a test) turns its
// transport into a MessageIn and hands it to handleMessage (or a button press to handleAction);
// what the bot says back is stored in the outbox as the neutral messages below and delivered by
// the door's Transport, which renders them its own way: Slack as Block Kit with buttons, a
// terminal as plain lines with the words to type instead of buttons. A door's traits say what
// the rest of the bot may expect of it.
import type { Incoming } from '../commands/route.ts'

/** A door's name, as stored with the requests and messages that came through it. */
export type DoorName = string

export interface DoorTraits {
  /** its people are the host's own operator: allow lists do not apply (local chat) */
  trusted?: boolean
  /** it can edit a message it sent, so long runs get a live progress message */
  edits?: boolean
  /** people can answer in a message's thread (`yes` under an approval prompt) */
  threads?: boolean
  /** it cannot answer itself (a webhook): reports about its requests go through this door */
  replyVia?: DoorName
}

/** What one message hands in: the words, who said them, and where answers go. */
export interface MessageIn extends Incoming {
  door: DoorName
  channel: string
  /** the reply spot: the thread the message was in, or its own ts when top-level */
  threadTs?: string | null
  /** the message itself, for the acknowledgement reaction and permalinks */
  messageTs?: string | null
}

type Purpose = 'reply' | 'report' | 'notice' | 'escalation' | 'ack' | 'progress'

/** What a button under a message does: the verb a person could also type (`approve 5`). */
export type ControlAction = 'approve' | 'deny' | 'cancel' | 'rerun' | 'logs'

interface Control {
  action: ControlAction
  label: string
  style?: 'primary' | 'danger'
}

/** A run's buttons, as data; `caption` is a short line shown with them (`Run 5 · b_deploy`). */
export interface Controls {
  runId: number
  buttons: Control[]
  caption?: string
}

export type MessageOut = {
  kind: 'message'
  purpose: Purpose
  channel: string
  /** the reply spot; null posts top-level */
  threadTs?: string | null
  /** the message, in Slack's mrkdwn (`*bold*`, `` `code` ``, `:emoji:`); doors render it */
  text: string
  controls?: Controls
  /** Block Kit a job printed (`report_format: blocks`): shown by doors that can, `text` elsewhere */
  jobBlocks?: unknown[]
  /** long output: uploaded as a file, `text` is the comment posted with it */
  file?: { filename: string; content: string }
  /** escalations link to the original request; the transport resolves the permalink */
  linkTo?: { channel: string; ts: string }
  /** a short notice that another message could not be posted; never itself replaced */
  fallback?: boolean
}

type ReactionOut = {
  kind: 'reaction'
  purpose: 'ack'
  channel: string
  ts: string
  name: string
  /** what was accepted (`run 5`), for transports without reactions */
  label?: string
}

/** An edit of a message sent earlier (live progress): `editOf` is that message's outbox row. */
export type UpdateOut = {
  kind: 'update'
  purpose: 'progress'
  channel: string
  editOf: number
  text: string
  controls?: Controls
}

// Type aliases, not interfaces: the outbox stores any object with a kind and a channel.
export type Outgoing = MessageOut | ReactionOut | UpdateOut

/** Slack keeps messages readable under 4,000 characters; longer output goes as a file. */
export const MESSAGE_LIMIT = 4000
