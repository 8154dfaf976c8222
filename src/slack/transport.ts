// The outbox's Slack transport: one stored message or reaction becomes Web API calls. Replies and
// reports go into the request's thread; long output is uploaded as a file; Block Kit that Slack
// refuses is posted as text with a note, so a result is never lost. Failures become DeliveryErrors
// the outbox understands (retry later, or give up).
import type { KnownBlock } from '@slack/types'
import type { WebClient } from '@slack/web-api'
import { DeliveryError, type Transport } from '../notify/deliver.ts'
import { MESSAGE_LIMIT, type MessageOut, type Outgoing, type UpdateOut } from '../app/door.ts'
import { messageBlocks } from './blocks.ts'
import { slackErrorCode, toDeliveryError } from './errors.ts'

export interface SlackTransportOptions {
  web: WebClient
  /** The outbox keeps channels as configured (`logs`); uploads and reactions need ids. */
  channelId?: (nameOrId: string) => string
  /**
   * Where an earlier outbox message ended up (its channel id and ts), for edits: `undefined` while
   * it is still waiting to be sent, `null` when it never will be.
   */
  sentAs?: (outboxId: number) => Promise<Posted | null | undefined>
}

export interface Posted {
  channel: string
  ts?: string
  file?: string
}

export function slackTransport(opts: SlackTransportOptions): Transport {
  const { web } = opts
  const idOf = opts.channelId ?? ((c: string) => c)

  /** The outbox row being delivered (deliveries through one transport go one at a time). */
  let outboxId: number | undefined

  async function post(
    channel: string,
    threadTs: string | null | undefined,
    text: string,
    blocks?: KnownBlock[],
  ): Promise<Posted> {
    const res = await web.chat.postMessage({
      channel,
      text,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(blocks ? { blocks } : {}),
      // The outbox id travels with the message, so a restart can find what was already posted.
      ...(outboxId !== undefined
        ? { metadata: { event_type: OUTBOX_EVENT, event_payload: { outbox_id: outboxId } } }
        : {}),
    })
    return { channel: res.channel ?? channel, ts: res.ts }
  }

  async function upload(
    channel: string,
    threadTs: string | null | undefined,
    comment: string,
    file: { filename: string; content: string },
  ): Promise<Posted> {
    const what = {
      filename: file.filename,
      title: file.filename,
      content: file.content,
      ...(comment ? { initial_comment: comment } : {}),
    }
    // The SDK's types tell a thread destination from a channel one by the presence of thread_ts.
    const res = await (threadTs
      ? web.filesUploadV2({ ...what, channel_id: channel, thread_ts: threadTs })
      : web.filesUploadV2({ ...what, channel_id: channel }))
    return { channel, file: res.files?.[0]?.files?.[0]?.id }
  }

  /** Blocks first; if Slack refuses them, the same content as text (or a file) with the reason. */
  async function postBlocks(
    channel: string,
    msg: MessageOut,
    text: string,
    { blocks, dressOnly }: { blocks: KnownBlock[]; dressOnly: boolean },
  ): Promise<Posted> {
    try {
      return await post(channel, msg.threadTs, text, blocks)
    } catch (e) {
      const code = slackErrorCode(e)
      if (!code?.includes('block')) throw e
      if (dressOnly) return post(channel, msg.threadTs, text)
      const raw = JSON.stringify(blocks, null, 2)
      const note = `(The job's Block Kit output was unusable: Slack refused it with \`${code}\`; here it is as text.)`
      const body = '```\n' + raw.replace(/```/g, '`\u200b``') + '\n```'
      if (body.length + note.length + 1 <= MESSAGE_LIMIT)
        return post(channel, msg.threadTs, `${body}\n${note}`)
      return upload(channel, msg.threadTs, note, { filename: 'blocks.json', content: raw })
    }
  }

  /** An escalation or support repost carries the request's permalink; without one it still goes out. */
  async function withLink(text: string, link: { channel: string; ts: string }): Promise<string> {
    let permalink: string
    try {
      const res = await web.chat.getPermalink({ channel: idOf(link.channel), message_ts: link.ts })
      permalink = res.permalink ?? ''
    } catch (e) {
      const err = toDeliveryError(e)
      if (err.retryable) throw err
      permalink = `(no link to the message: ${err.message})`
    }
    return text ? `${text}\n${permalink}` : permalink
  }

  /** Edits a message posted earlier; an edit of a message that was never posted is dropped. */
  async function edit(msg: UpdateOut): Promise<Posted | null> {
    const original = await opts.sentAs?.(msg.editOf)
    if (original === undefined)
      throw new DeliveryError('the message to edit has not been posted yet', true)
    if (!original?.ts) return null
    const rendered = messageBlocks(msg)
    await web.chat.update({
      channel: original.channel,
      ts: original.ts,
      text: msg.text,
      ...(rendered ? { blocks: rendered.blocks } : {}),
    })
    return original
  }

  async function send(msg: Outgoing): Promise<Posted | null> {
    if (msg.kind === 'update') return edit(msg)
    if (msg.kind === 'reaction') {
      try {
        await web.reactions.add({ channel: idOf(msg.channel), timestamp: msg.ts, name: msg.name })
      } catch (e) {
        // Already there (a retried delivery, or a person added it): the message shows it either way.
        if (slackErrorCode(e) !== 'already_reacted') throw e
      }
      return null
    }
    const channel = idOf(msg.channel)
    const text = msg.linkTo ? await withLink(msg.text, msg.linkTo) : msg.text
    if (msg.file) return upload(channel, msg.threadTs, text, msg.file)
    const rendered = messageBlocks(msg)
    if (rendered) return postBlocks(channel, msg, text, rendered)
    return post(channel, msg.threadTs, text)
  }

  return {
    async deliver(msg: Outgoing, sending?: { outboxId: number; resumed: boolean }) {
      try {
        outboxId = sending?.outboxId
        if (sending?.resumed && msg.kind === 'message' && !msg.file) {
          const found = await alreadyPosted(web, idOf(msg.channel), msg.threadTs, sending.outboxId)
          if (found) return found
        }
        return await send(msg)
      } catch (e) {
        throw e instanceof DeliveryError ? e : toDeliveryError(e)
      }
    },
  }
}

/** The metadata event type of every message the outbox posts. */
const OUTBOX_EVENT = 'ebmbot_outbox'

/**
 * A message that was being posted when the bot stopped may have arrived: look for its outbox id in
 * the metadata of the conversation's recent messages (its thread, or the channel). Not found, or
 * Slack will not say (a missing scope): undefined, and it is posted, so at worst it shows twice.
 */
async function alreadyPosted(
  web: WebClient,
  channel: string,
  threadTs: string | null | undefined,
  id: number,
): Promise<Posted | undefined> {
  try {
    const res = threadTs
      ? await web.conversations.replies({
          channel,
          ts: threadTs,
          include_all_metadata: true,
          limit: 200,
        })
      : await web.conversations.history({ channel, include_all_metadata: true, limit: 100 })
    const hit = (res.messages ?? []).find(
      (m) =>
        m.metadata?.event_type === OUTBOX_EVENT &&
        (m.metadata.event_payload as { outbox_id?: unknown } | undefined)?.outbox_id === id,
    )
    return hit?.ts ? { channel, ts: hit.ts } : undefined
  } catch {
    return undefined
  }
}
