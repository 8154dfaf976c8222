// Which Slack events mean what. Pure: an event in, a plan out; the caller
// makes the plan durable. Mentions and DMs are commands; messages with a support keyword are
// reposted, never run; the bot's own messages and other bots' are ignored (unless trusted);
// edits never run.
import type { SlackEvent } from '@slack/types'
import { unquoted } from '../commands/clean.ts'
import { channelChange, type ChannelChange } from './channel-directory.ts'
import { matchingRoutes, type SupportRoute } from './support.ts'

/** Where a message is, and its reply spot: the thread it is in, or a new thread under it. */
interface Spot {
  channel: string
  ts: string
  threadTs: string
}

export type Plan =
  | { kind: 'ignore'; reason: string }
  | { kind: 'channel'; change: ChannelChange }
  | { kind: 'command'; spot: Spot; user: string; text: string; isDirect: boolean }
  | { kind: 'support'; spot: Spot; user: string; routes: SupportRoute[] }
  | { kind: 'support_dm'; spot: Spot; user: string; routes: SupportRoute[] }

export interface PlanContext {
  botUserId: string
  routes: readonly SupportRoute[]
  /** bot ids (B…) and app ids (A…, e.g. a workflow) whose messages may run commands */
  trustedBots?: readonly string[]
}

/** The fields every rule reads, from a mention, a message, or the new version of an edited one. */
interface MessageView {
  channel: string
  channelType?: string
  user?: string
  botId?: string
  appId?: string
  subtype?: string
  text: string
  ts: string
  threadTs?: string
  edited: boolean
}

/** Subtypes that are still a person talking (with a file, or a thread reply sent to the channel too). */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast'])

export function planEvent(event: SlackEvent, ctx: PlanContext): Plan {
  const change = channelChange(event, ctx.botUserId)
  if (change) return { kind: 'channel', change }
  if (event.type !== 'app_mention' && event.type !== 'message')
    return { kind: 'ignore', reason: `${event.type} is not handled` }
  const m = viewOf(event)
  if (!m) return { kind: 'ignore', reason: 'no message in it' }
  if (m.user === ctx.botUserId) return { kind: 'ignore', reason: 'the bot itself' }
  if (m.botId || m.subtype === 'bot_message') return trustedBotCommand(m, ctx)
  if (!m.user) return { kind: 'ignore', reason: 'no sender' }
  if (m.subtype && !PERSON_SUBTYPES.has(m.subtype))
    return { kind: 'ignore', reason: `subtype ${m.subtype}` }

  const spot: Spot = { channel: m.channel, ts: m.ts, threadTs: m.threadTs ?? m.ts }
  const isDirect =
    m.channelType === 'im' || (m.channelType === undefined && m.channel.startsWith('D'))
  const routes = matchingRoutes(m.text, ctx.routes)
  if (routes.length) {
    // A keyword is never a command, not even a "not understood" one.
    if (isDirect || m.channelType === 'mpim')
      return { kind: 'support_dm', spot, user: m.user, routes }
    const elsewhere = routes.filter((r) => r.channel !== m.channel)
    if (!elsewhere.length) return { kind: 'ignore', reason: 'a keyword in its own support channel' }
    return { kind: 'support', spot, user: m.user, routes: elsewhere }
  }
  if (m.edited) return { kind: 'ignore', reason: 'edits never run commands' }
  const mentioned = unquoted(m.text).includes(`<@${ctx.botUserId}`)
  // Quoting an earlier request (`> @ebmbot op deploy`) mentions the bot but asks nothing of it.
  if (event.type === 'app_mention' && !mentioned)
    return { kind: 'ignore', reason: 'the mention is only in a quote' }
  const command = { kind: 'command' as const, spot, user: m.user, text: m.text }
  if (event.type === 'app_mention') return { ...command, isDirect }
  if (isDirect) return { ...command, isDirect: true }
  // `/remind #chan @bot op deploy at 9am` arrives as a channel message from Slackbot.
  if (/^\s*Reminder:\s/i.test(m.text) && mentioned) return { ...command, isDirect: false }
  // Channel mentions also arrive as app_mention events; that copy is the one that runs.
  return { kind: 'ignore', reason: 'not addressed to the bot' }
}

/**
 * A message from another bot or a workflow runs a command only when its bot or app id is trusted
 * and it mentions the bot; it never makes a support call (those are for people). The requester is
 * the bot's user when Slack gives one, else the bot id.
 */
function trustedBotCommand(m: MessageView, ctx: PlanContext): Plan {
  const trusted = ctx.trustedBots ?? []
  const id = [m.botId, m.appId].find((x) => x && trusted.includes(x))
  if (!id) return { kind: 'ignore', reason: 'from a bot' }
  if (m.edited) return { kind: 'ignore', reason: 'edits never run commands' }
  if (!m.text.includes(`<@${ctx.botUserId}`))
    return { kind: 'ignore', reason: 'not addressed to the bot' }
  const isDirect = m.channelType === 'im' || m.channel.startsWith('D')
  if (!isDirect && matchingRoutes(m.text, ctx.routes).length)
    return { kind: 'ignore', reason: 'a support keyword from a bot' }
  const spot: Spot = { channel: m.channel, ts: m.ts, threadTs: m.threadTs ?? m.ts }
  return { kind: 'command', spot, user: m.user ?? m.botId ?? id, text: m.text, isDirect }
}

function viewOf(
  event: Extract<SlackEvent, { type: 'app_mention' | 'message' }>,
): MessageView | undefined {
  if (event.type === 'app_mention') {
    const { channel, user, bot_id, subtype, text, ts, thread_ts, edited } = event
    return {
      channel,
      user,
      botId: bot_id,
      appId: loose(event)?.appId,
      subtype,
      text: text ?? '',
      ts,
      threadTs: thread_ts,
      edited: !!edited,
    }
  }
  if (event.subtype === 'message_changed') {
    const inner = loose(event.message)
    return (
      inner && { ...inner, channel: event.channel, channelType: event.channel_type, edited: true }
    )
  }
  const m = loose(event)
  return m && { ...m, channel: event.channel, channelType: event.channel_type }
}

/** The message union's members differ in which fields they carry; read them without trusting any. */
function loose(msg: object): Omit<MessageView, 'channel' | 'channelType'> | undefined {
  const o = msg as Record<string, unknown>
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined)
  const ts = str('ts')
  if (!ts) return undefined
  const profile = o.bot_profile as Record<string, unknown> | undefined
  const appId = str('app_id') ?? (typeof profile?.app_id === 'string' ? profile.app_id : undefined)
  return {
    user: str('user'),
    botId: str('bot_id'),
    appId,
    subtype: str('subtype'),
    text: str('text') ?? '',
    ts,
    threadTs: str('thread_ts'),
    edited: !!o.edited,
  }
}
