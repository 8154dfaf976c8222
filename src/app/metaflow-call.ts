// One Metaflow verb call: who asked where, and the thread state it acts on.
import type { MetaflowThread } from '../queue/schema.ts'
import type { AppContext } from './context.ts'
import type { MessageIn } from './door.ts'

export interface MetaflowCall {
  ctx: AppContext
  msg: MessageIn
  /** the cleaned text, recorded with requests */
  cleaned: string
  /** the thread's Metaflow state, if it has any */
  thread: MetaflowThread | undefined
  /** the ebmbot run whose thread this is, if any */
  threadRunId: number | undefined
}

/** The conversation's key: a Slack thread's reply spot, or '' for a chat without threads. */
export const threadKeyOf = (msg: MessageIn) => ({
  door: msg.door,
  channel: msg.channel,
  threadTs: msg.threadTs ?? '',
})
