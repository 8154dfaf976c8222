// The missed-message sweep, on only with SLACK_BOT_USER_TOKEN: socket mode can lose
// events (a reconnect, a deploy, a channel the bot had not joined yet), so every few seconds the bot
// asks Slack search for recent messages carrying a support keyword but not the route's reaction,
// and handles each real hit as if its event had arrived: reaction and repost, once per message.
//
// The search runs with a person's token (bots may not search), for search.messages only; every
// reaction and post still goes through the outbox with the bot token.
import type { SearchMessagesResponse, WebClient } from '@slack/web-api'
import type { AppContext } from '../app/context.ts'
import type { QueueOps } from '../queue/queue.ts'
import { Signal } from '../util/signal.ts'
import { toDeliveryError } from './errors.ts'
import { hasKeyword } from '../syntax/keyword.ts'
import type { SupportRoute } from './support.ts'
import { recordSupport, supportKey } from './support-store.ts'

type Match = NonNullable<NonNullable<SearchMessagesResponse['messages']>['matches']>[number]

/** How far back a sweep looks: "today's" messages, without losing one sent just before midnight. */
const LOOK_BACK_MS = 24 * 3600_000
const DAY_MS = 24 * 3600_000
/** Slack allows search.messages about 20 times a minute; a page holds at most 100 matches. */
const PAGE_SIZE = 100
const MAX_PAGES = 3

/** One message the sweep should handle for a route. */
export interface Hit {
  channel: string
  ts: string
  /** the thread it is a reply in, read from its permalink; absent for a top-level message */
  threadTs?: string
  user: string
}

export interface HitRules {
  botUserId: string
  /** epoch ms; older matches are left alone */
  since: number
  /** whether the bot can react and link there (a private channel it is not in: no) */
  canAct: (channel: { id: string; isPrivate: boolean }) => boolean
}

/**
 * The search text for one keyword of a route: the keyword, minus messages that already carry the
 * reaction, minus the team's own channel and the bot's own messages. The date is a coarse bound
 * (Slack reads it in the token owner's time zone); `missedHits` makes the exact cut on `ts`.
 */
export function sweepQuery(
  keyword: string,
  route: SupportRoute,
  botUserId: string,
  now: number,
): string {
  const after = new Date(now - 3 * DAY_MS).toISOString().slice(0, 10)
  return `"${keyword}" -has::${route.reaction}: -in:<#${route.channel}> -from:<@${botUserId}> after:${after}`
}

/**
 * The matches that really call the route. Search is only a hint: it matches words inside links,
 * unfurls and forwarded text, and its filters are not guarantees, so every rule of the live path
 * is applied again: a person's message (not the bot's, not another bot's), in a channel (not a DM),
 * outside the team's channel, whose own text carries the keyword (a keyword inside a URL does not count).
 */
export function missedHits(matches: readonly Match[], route: SupportRoute, rules: HitRules): Hit[] {
  const hits: Hit[] = []
  for (const m of matches) {
    const raw = m as Match & { bot_id?: string; subtype?: string }
    const channel = m.channel
    if (!channel?.id || !m.ts || !m.user) continue
    if (raw.bot_id || raw.subtype === 'bot_message' || m.user === rules.botUserId) continue
    if (
      channel.is_im ||
      channel.is_mpim ||
      m.is_mpim ||
      channel.id.startsWith('D') ||
      channel.name?.startsWith('mpdm-')
    )
      continue
    if (channel.id === route.channel) continue
    if (Number(m.ts) * 1000 < rules.since) continue
    if (!route.keywords.some((k) => hasKeyword(m.text ?? '', k))) continue
    if (!rules.canAct({ id: channel.id, isPrivate: !!(channel.is_private || channel.is_group) }))
      continue
    hits.push({ channel: channel.id, ts: m.ts, user: m.user, ...threadOf(m.permalink) })
  }
  return hits
}

/** A reply's permalink carries its thread: `…/p1508284197000015?thread_ts=1508284190.000010&cid=C1`. */
function threadOf(permalink: string | undefined): { threadTs?: string } {
  if (!permalink) return {}
  try {
    const t = new URL(permalink).searchParams.get('thread_ts')
    return t && /^\d+\.\d+$/.test(t) ? { threadTs: t } : {}
  } catch {
    return {}
  }
}

export interface SweepDeps {
  ctx: AppContext
  /** a Web API client holding the user token; used for search.messages and nothing else */
  search: WebClient
  botUserId: string
  routes: readonly SupportRoute[]
  canAct: HitRules['canAct']
  intervalMs: number
  /** true once the bot is stopping: a search answered late stores nothing */
  stopped?: () => boolean
}

/** One pass over every keyword of every route; returns how many messages it handled. */
async function sweepOnce(deps: SweepDeps): Promise<number> {
  const { ctx } = deps
  const now = ctx.now()
  let found = 0
  for (const route of deps.routes) {
    const seenHere = new Set<string>()
    for (const keyword of route.keywords) {
      const query = sweepQuery(keyword, route, deps.botUserId, now)
      for (let page = 1; page <= MAX_PAGES; page++) {
        const res = await deps.search.search.messages({
          query,
          sort: 'timestamp',
          sort_dir: 'desc',
          count: PAGE_SIZE,
          page,
        })
        const matches = res.messages?.matches ?? []
        if (deps.stopped?.()) return found
        for (const hit of missedHits(matches, route, {
          botUserId: deps.botUserId,
          since: now - LOOK_BACK_MS,
          canAct: deps.canAct,
        })) {
          const key = supportKey(route, hit)
          if (seenHere.has(key)) continue // two keywords of one route finding one message
          seenHere.add(key)
          if (await ctx.queue.isSeen('slack-support', key)) continue // cheap look before taking the write lock
          if (
            await store(
              ctx,
              async (q) => (await recordSupport(q, ctx.now(), [route], hit)).length > 0,
            )
          ) {
            found++
            ctx.log.info('slack.sweep_found', {
              channel: hit.channel,
              ts: hit.ts,
              user: hit.user,
              route: route.keywords[0],
            })
          }
        }
        // Newest first: a page ending before the look-back, or the last page, ends this keyword.
        const oldest = matches.at(-1)?.ts
        const pages = res.messages?.paging?.pages ?? res.messages?.pagination?.page_count ?? 1
        if (!oldest || Number(oldest) * 1000 < now - LOOK_BACK_MS || page >= pages) break
      }
    }
  }
  return found
}

/** Runs `sweepOnce` at start and every `intervalMs` until stopped; a failed search waits for the next turn. */
export function startSweep(deps: SweepDeps): {
  stop(): Promise<void>
  health(): { last_sweep_ms_ago: number | null; last_error: string | null; found: number }
} {
  const { ctx } = deps
  const wake = new Signal()
  let stopped = false
  let lastSweepAt: number | null = null
  let lastError: string | null = null
  let total = 0

  const loop = (async () => {
    // The first pass at once: what was said while the bot was down (a deploy, a crash) is the
    // likeliest thing to have been missed.
    let delay = 0
    while (!stopped) {
      await wake.wait(delay)
      if (stopped) break
      delay = deps.intervalMs
      try {
        const found = await sweepOnce({ ...deps, stopped: () => stopped })
        total += found
        lastSweepAt = ctx.now()
        if (lastError) ctx.log.info('slack.sweep_recovered', { after: lastError })
        lastError = null
        ctx.log.debug('slack.sweep', { found })
      } catch (e) {
        // The error says what Slack refused (invalid_auth, missing_scope, ratelimited), never the
        // token; the logger masks it anyway. One warning per new error, not one every few seconds.
        const err = toDeliveryError(e)
        if (err.retryAfterMs) delay = Math.max(delay, err.retryAfterMs)
        if (err.message !== lastError)
          ctx.log.warn('slack.sweep_failed', { error: err.message, retry_in_ms: delay })
        else ctx.log.debug('slack.sweep_failed', { error: err.message, retry_in_ms: delay })
        lastError = err.message
      }
    }
  })()

  return {
    /** Ends the loop; a search still waiting on Slack is not waited for (it stores nothing). */
    async stop() {
      stopped = true
      wake.notify()
      await Promise.race([loop, Bun.sleep(1000)])
    },
    health: () => ({
      last_sweep_ms_ago: lastSweepAt === null ? null : ctx.now() - lastSweepAt,
      last_error: lastError,
      found: total,
    }),
  }
}

/** One unit of work; wakes the outbox when it stored something. */
async function store(ctx: AppContext, fn: (q: QueueOps) => Promise<boolean>): Promise<boolean> {
  const ok = await ctx.queue.atomically(fn)
  if (ok) ctx.wake.outbox.notify()
  return ok
}
