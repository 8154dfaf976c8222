// The Slack front door, started by `ebmbot serve` when both tokens are set: who the bot is
// (auth.test), where its channels are, the outbox deliverer for door 'slack', the socket listener,
// and the joins of public channels. A configured channel that does not exist stops the start.
import type { AppContext } from '../app/context.ts'
import type { Worker } from '../app/context.ts'
import { startDeliverer } from '../notify/deliver.ts'
import { isStorageFailure } from '../queue/errors.ts'
import { errorText } from '../util/log.ts'
import { ChannelDirectory, type ChannelChange } from './channel-directory.ts'
import {
  fetchChannelName,
  joinChannel,
  joinPublicChannels,
  listChannels,
  type ChannelInfo,
} from './channels.ts'
import { slackErrorCode, toDeliveryError } from './errors.ts'
import { GuestCheck } from './guests.ts'
import { configuredGroups, GroupMembership } from './groups.ts'
import { handleEvent, handlePress } from './handle-event.ts'
import { startListener } from './listener.ts'
import { handleParamsSubmission, handleSlashCommand } from './slash-command.ts'
import { startSweep } from './sweep.ts'
import { keepUnstored } from './unstored.ts'
import type { SupportRoute } from './support.ts'
import { slackTransport, type Posted } from './transport.ts'
import { createWebClient } from './web-client.ts'

export async function startSlack(
  ctx: AppContext,
  opts: { stopping?: () => boolean } = {},
): Promise<Worker | null> {
  const stopping = opts.stopping ?? (() => false)
  const { env, log } = ctx
  const { appToken, botToken } = env.slack
  if (!appToken || !botToken) {
    log.info('slack.off', { reason: 'SLACK_APP_TOKEN and SLACK_BOT_TOKEN are not both set' })
    return null
  }
  const patient = createWebClient(botToken, env, log, { mode: 'patient' })
  const fast = createWebClient(botToken, env, log, { mode: 'fast' })

  const me = await signIn(ctx, fast, stopping)
  if (!me) return null // the bot stopped while Slack could not be reached
  const botUserId = me.user_id!
  const botName = env.slack.appUsername ?? me.user

  const channels = await listChannels(patient, log)
  if (stopping()) return null
  const directory = new ChannelDirectory(channels)
  const resolve = (value: string, what: string) => {
    const id = directory.resolve(value)
    if (!id)
      throw new Error(
        `the ${what} "${value}" is not a channel the bot can see (give its name or id; private channels need groups:read or an id)`,
      )
    return id
  }
  const s = ctx.config.settings
  if (!s.logs_channel && !env.slack.logsChannel)
    throw new Error('Slack needs a logs channel: set SLACK_LOGS_CHANNEL (or settings.logs_channel)')
  if (!s.tech_support_channel && !env.slack.techSupportChannel)
    throw new Error(
      'Slack needs a tech-support channel: set SLACK_TECH_SUPPORT_CHANNEL (or settings.tech_support_channel)',
    )
  resolve(ctx.reports.logsChannel, 'logs channel')
  const techSupport = resolve(ctx.reports.techSupportChannel, 'tech-support channel')
  const routes: SupportRoute[] = s.support_routes.map((r) => ({
    keywords: r.keywords,
    reaction: r.reaction,
    channel: r.channel ? resolve(r.channel, `support channel for ${r.keywords[0]}`) : techSupport,
  }))
  // Out-of-office dates belong to tech-support: they apply to the route(s) reposting there.
  for (const r of routes) r.outOfOffice = r.channel === techSupport

  // The outbox stores channels as configured (`logs`); the transport posts to their ids.
  const channelId = (value: string) => directory.resolve(value) ?? value
  const sentAs = async (id: number) => {
    const row = await ctx.queue.getOutgoing(id)
    if (!row || row.state === 'failed') return null
    return row.state === 'sent' ? ((row.result as Posted | null) ?? null) : undefined
  }
  const deliverer = startDeliverer({
    queue: ctx.queue,
    door: 'slack',
    transport: slackTransport({ web: fast, channelId, sentAs }),
    wake: ctx.wake.outbox,
    sender: ctx.workerId,
    log,
  })

  const joins = new Set<Promise<unknown>>()
  const inBackground = (p: Promise<unknown>) => {
    joins.add(p)
    void p.finally(() => joins.delete(p))
  }
  const guests = new GuestCheck({ web: fast, log })
  const groups = new GroupMembership({ web: fast, groups: configuredGroups(ctx.config), log })
  const onChannel = async (change: ChannelChange) => {
    directory.apply(change)
    log.info('slack.channel_change', { ...change })
    if (change.kind === 'moved')
      log.info('slack.channel_moved', {
        from: change.id,
        to: change.to,
        ...(await ctx.queue.moveChannel(change.id, change.to)),
      })
    if (change.kind === 'created' || (change.kind === 'unarchived' && !change.isPrivate))
      inBackground(joinChannel(patient, change.id, log))
    // Invited to a channel it had not seen (a private one), or one back from the archive: its
    // name, for access rules by name.
    if (
      (change.kind === 'bot_joined' || change.kind === 'unarchived') &&
      !directory.nameOf(change.id)
    ) {
      inBackground(
        fetchChannelName(patient, change.id, log).then((name) => {
          if (name && !directory.nameOf(change.id))
            directory.apply({ kind: 'renamed', id: change.id, name, isPrivate: change.isPrivate })
        }),
      )
    }
  }
  const channelName = (id: string) => directory.nameOf(id)
  const deps = { ctx, botUserId, botName, routes, guests, groups, channelName, onChannel }
  const unstored = keepUnstored({ retry: (id, event) => handleEvent(deps, id, event), log })
  const listener = await startListener({
    appToken,
    apiUrl: env.slack.apiUrl,
    clientPingTimeoutMs: env.slack.clientPingTimeoutMs,
    log,
    logLevel: env.logLevel,
    onEvent: async (eventId, event) => {
      try {
        return await handleEvent(deps, eventId, event)
      } catch (e) {
        if (isStorageFailure(e)) unstored.keep(eventId, event)
        throw e
      }
    },
    passing: isStorageFailure,
    onInteractive: (payload) => handlePress(deps, payload),
    onSlashCommand: (payload) => handleSlashCommand({ ...deps, web: fast }, payload),
    onViewSubmission: (payload) => handleParamsSubmission({ ...deps, web: fast }, payload),
    count: (type, outcome) => ctx.metrics.slackEvents.inc({ type, outcome }),
  }).catch(async (e) => {
    await deliverer.stop()
    throw new Error(
      `could not connect to Slack in socket mode (${slackErrorCode(e) ?? errorText(e)}); check SLACK_APP_TOKEN`,
    )
  })
  inBackground(joinMissing(ctx, patient, channels))

  const sweep = env.slack.userToken
    ? startSweep({
        ctx,
        search: createWebClient(env.slack.userToken, env, log, { mode: 'fast' }),
        botUserId,
        routes,
        canAct: (c) => directory.canAct(c),
        intervalMs: s.sweep_interval * 1000,
      })
    : null
  if (sweep) ctx.health.set('slack_sweep', () => ({ ok: true, detail: sweep.health() }))
  log.info(
    sweep ? 'slack.sweep_on' : 'slack.sweep_off',
    sweep
      ? { interval_ms: s.sweep_interval * 1000 }
      : { reason: 'SLACK_BOT_USER_TOKEN is not set' },
  )

  ctx.metrics.gauge(
    'ebmbot_slack_connected',
    'The socket-mode connection is up (1) or not (0)',
    () => [{ value: listener.connected ? 1 : 0 }],
  )
  ctx.health.set('slack', () => ({
    ok: listener.connected,
    detail: {
      connected: listener.connected,
      reconnects: listener.reconnects,
      last_event_ms_ago: listener.lastEventAt ? ctx.now() - listener.lastEventAt : null,
    },
  }))
  log.info('slack.ready', {
    bot_user: botUserId,
    bot_name: botName,
    channels: directory.size,
    support_routes: routes.length,
  })

  return {
    name: 'slack',
    async stop() {
      unstored.stop()
      await sweep?.stop()
      await listener.stop() // no new events; the notifier keeps delivering while jobs finish
    },
    async flush() {
      // What is already stored (including reports of jobs that finished in the grace) gets one last pass.
      await deliverer.stop()
      await Promise.race([Promise.allSettled([...joins]), Bun.sleep(1000)])
    },
  }
}

async function joinMissing(
  ctx: AppContext,
  web: Parameters<typeof joinPublicChannels>[0],
  channels: ChannelInfo[],
) {
  const joined = await joinPublicChannels(web, channels, ctx.log)
  if (joined) ctx.log.info('slack.joined_channels', { joined })
}

/**
 * auth.test until Slack answers. Slack out of reach (network, 5xx, 429) is retried with a growing
 * pause and a log line each time, while /healthz shows Slack connecting; a token Slack refuses is
 * an error at once. Undefined when the bot stops meanwhile.
 */
async function signIn(
  ctx: AppContext,
  web: ReturnType<typeof createWebClient>,
  stopping: () => boolean,
): Promise<Awaited<ReturnType<typeof web.auth.test>> | undefined> {
  let attempts = 0
  let lastError = ''
  ctx.health.set('slack', () => ({
    ok: false,
    detail: { connected: false, connecting: true, attempts, last_error: lastError || null },
  }))
  for (;;) {
    if (stopping()) return undefined
    try {
      return await web.auth.test()
    } catch (e) {
      const err = toDeliveryError(e)
      if (!err.retryable)
        throw new Error(`Slack refused SLACK_BOT_TOKEN (${slackErrorCode(e) ?? errorText(e)})`)
      attempts++
      lastError = err.message
      const waitMs = Math.max(err.retryAfterMs ?? 0, Math.min(1000 * 2 ** (attempts - 1), 30_000))
      ctx.log.warn('slack.connect_retry', {
        attempt: attempts,
        error: lastError,
        retry_in_ms: waitMs,
      })
      const until = Date.now() + waitMs
      while (Date.now() < until && !stopping()) await Bun.sleep(Math.min(200, until - Date.now()))
    }
  }
}
