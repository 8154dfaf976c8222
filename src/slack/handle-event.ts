// One Slack event made durable: a command becomes a request (through the shared handleMessage), a
// support keyword becomes a stored reaction and repost, a channel event updates what the bot knows
// of channels (and a new one is joined). Each message is
// handled once: its event id and its `channel:ts` go into the seen table in the same transaction
// as the work, so Slack's retries and the mention-plus-message pair of one message find it taken,
// and a crash before that commit leaves nothing taken for the redelivery.
import type { SlackEvent } from '@slack/types'
import type { AppContext } from '../app/context.ts'
import { handleAction } from '../app/handle-action.ts'
import { handleMessage } from '../app/handle-message.ts'
import type { Asker } from '../commands/access.ts'
import { isAwayCommand } from '../commands/away.ts'
import { cleanText, words } from '../commands/clean.ts'
import type { Outgoing } from '../app/door.ts'
import { redact } from '../util/redact.ts'
import { isStorageFailure } from '../queue/errors.ts'
import type { QueueOps } from '../queue/queue.ts'
import { errorText } from '../util/log.ts'
import type { ChannelChange } from './channel-directory.ts'
import { planEvent, type Plan } from './events.ts'
import type { GroupMembership } from './groups.ts'
import type { GuestCheck } from './guests.ts'
import { readPress } from './interactive.ts'
import { directSupportReply, type SupportRoute } from './support.ts'
import { recordSupport } from './support-store.ts'
import { escapeSlackText } from '../util/slack-text.ts'

export interface EventDeps {
  ctx: AppContext
  botUserId: string
  botName?: string
  routes: readonly SupportRoute[]
  guests: GuestCheck
  groups?: GroupMembership
  channelName?: (id: string) => string | undefined
  /** a channel was created, renamed, archived, or the bot was added or removed (nothing to store) */
  onChannel: (change: ChannelChange) => Promise<void>
}

export type Outcome =
  | 'queued'
  | 'replied'
  | 'support'
  | 'channel'
  | 'duplicate'
  | 'ignored'
  | 'failed'

export async function handleEvent(
  deps: EventDeps,
  eventId: string,
  event: SlackEvent,
): Promise<Outcome> {
  const plan = planEvent(event, { ...deps, trustedBots: deps.ctx.config.settings.trusted_bots })
  const { ctx } = deps
  switch (plan.kind) {
    case 'ignore':
      ctx.log.debug('slack.ignored', { event_id: eventId, type: event.type, reason: plan.reason })
      return 'ignored'
    case 'channel':
      await deps.onChannel(plan.change)
      return 'channel'
    case 'support':
      return storeSupport(ctx, eventId, plan)
    case 'support_dm': {
      const reply: Outgoing = {
        kind: 'message',
        purpose: 'reply',
        channel: plan.spot.channel,
        threadTs: plan.spot.threadTs,
        text: directSupportReply(plan.routes),
      }
      const fresh = await store(ctx, async (q) => {
        if (!(await claim(q, ctx.now(), eventId, plan.spot))) return false
        await q.enqueueOutgoing(ctx.now(), 'slack', [reply])
        return true
      })
      return fresh ? 'replied' : 'duplicate'
    }
    case 'command':
      return runCommand(deps, eventId, plan)
  }
}

async function runCommand(
  deps: EventDeps,
  eventId: string,
  plan: Extract<Plan, { kind: 'command' }>,
): Promise<Outcome> {
  const { ctx, botUserId, botName } = deps
  const { spot } = plan
  // Looked up before the claim: the claim-to-request window then holds no network wait. The
  // out-of-office commands are refused to guests whatever the namespaces say.
  const awayCommand = isAwayCommand(
    words(cleanText(plan.text, { botUserId })).map((w) => w.toLowerCase()),
  )
  const who = await accessFacts(deps, plan.user, spot.channel, awayCommand)
  try {
    // The marks are taken in the same unit of work that stores the request and its replies.
    const res = await handleMessage(
      ctx,
      {
        door: 'slack',
        text: plan.text,
        user: plan.user,
        isDirect: plan.isDirect,
        channel: spot.channel,
        threadTs: spot.threadTs,
        messageTs: spot.ts,
        ...who,
      },
      { botUserId, botName },
      {
        taken: async () =>
          (await ctx.queue.isSeen('slack-event', eventId)) ||
          (await ctx.queue.isSeen('slack-message', `${spot.channel}:${spot.ts}`)),
        claim: (q) => claim(q, ctx.now(), eventId, spot),
      },
    )
    if (res.kind === 'duplicate') return 'duplicate'
    return res.accepted ? 'queued' : 'replied'
  } catch (e) {
    // Nothing was stored (a full disk, a lock held too long): unacknowledged, so Slack delivers
    // it again, and the bot keeps it to try again itself (unstored.ts).
    if (isStorageFailure(e)) throw e
    // Say so where it was asked, briefly (no stack, no secrets); not escalated.
    const cleaned = cleanText(plan.text, { botUserId })
    const why = redact(errorText(e), ctx.reports.secrets)
    ctx.log.error('slack.command_failed', {
      event_id: eventId,
      channel: spot.channel,
      ts: spot.ts,
      error: why,
    })
    const text = `:x: Sorry, something went wrong handling \`${escapeSlackText(cleaned)}\`: ${why}. Please try again, or ask tech-support if it keeps happening.`
    await ctx.queue.enqueueOutgoing(ctx.now(), 'slack', [
      { kind: 'reaction', purpose: 'ack', channel: spot.channel, ts: spot.ts, name: 'x' },
      { kind: 'message', purpose: 'reply', channel: spot.channel, threadTs: spot.threadTs, text },
    ])
    ctx.wake.outbox.notify()
    return 'failed'
  }
}

/** A button press: the verb it stands for, through the same rules as typed text. */
export async function handlePress(
  deps: EventDeps,
  payload: Record<string, unknown>,
): Promise<Outcome> {
  const press = readPress(payload)
  if (!press) return 'ignored'
  const { ctx } = deps
  const res = await handleAction(ctx, {
    door: 'slack',
    action: press.action,
    runId: press.runId,
    buttonMessageTs: press.messageTs,
    user: press.user,
    isDirect: press.channel.startsWith('D'),
    channel: press.channel,
    threadTs: press.threadTs,
    ...(await accessFacts(deps, press.user, press.channel)),
  })
  return res.kind === 'duplicate' ? 'duplicate' : res.accepted ? 'queued' : 'replied'
}

/** Guest flags, the user's configured groups and the channel's name, for access rules (looked up only when used). */
export async function accessFacts(
  deps: EventDeps,
  user: string,
  channel: string,
  guestsOnlyCommand = false,
): Promise<Pick<Asker, 'isGuest' | 'guestUnknown' | 'groups' | 'groupsUnknown' | 'channelName'>> {
  // Guests matter only to restricted namespaces (and the out-of-office commands): no lookup otherwise.
  const guestCheck =
    guestsOnlyCommand || Object.values(deps.ctx.config.namespaces).some((ns) => ns.restricted)
  const guest = guestCheck ? await deps.guests.lookup(user) : { guest: false, known: true }
  const groups = deps.groups ? await deps.groups.of(user) : undefined
  return {
    isGuest: guest.guest,
    guestUnknown: !guest.known,
    groups: groups?.groups,
    groupsUnknown: groups?.unknown,
    channelName: deps.channelName?.(channel),
  }
}

/** Per route, once per message: its reaction and repost, stored with the marks in one unit of work. */
async function storeSupport(
  ctx: AppContext,
  eventId: string,
  plan: Extract<Plan, { kind: 'support' }>,
): Promise<Outcome> {
  const { spot } = plan
  let routed = 0
  const fresh = await store(ctx, async (q) => {
    const now = ctx.now()
    if (!(await q.markSeen(now, 'slack-event', eventId))) return false
    routed = (await recordSupport(q, now, plan.routes, spot)).length
    return true
  })
  if (routed)
    ctx.log.info('slack.support', {
      event_id: eventId,
      channel: spot.channel,
      ts: spot.ts,
      user: plan.user,
      routes: plan.routes.map((r) => r.keywords[0]).join(','),
    })
  return fresh && routed ? 'support' : 'duplicate'
}

/** Both keys new: the event id (retries) and the message (a mention and a message event of it). */
async function claim(
  q: QueueOps,
  now: number,
  eventId: string,
  spot: { channel: string; ts: string },
): Promise<boolean> {
  return (
    (await q.markSeen(now, 'slack-event', eventId)) &&
    (await q.markSeen(now, 'slack-message', `${spot.channel}:${spot.ts}`))
  )
}

/** Runs `fn` as one unit of work; wakes the outbox when it stored something. */
async function store(ctx: AppContext, fn: (q: QueueOps) => Promise<boolean>): Promise<boolean> {
  const ok = await ctx.queue.atomically(fn)
  if (ok) ctx.wake.outbox.notify()
  return ok
}
