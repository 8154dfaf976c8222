// The Socket Mode receiver: one connection to Slack, each envelope handed to `onEvent` and
// acknowledged once that returns (by then what the event asked for is stored), or at once when it
// asks for nothing; left unacknowledged when storing met a passing failure (a locked database),
// so Slack delivers it again. Drops and `disconnect` envelopes are the SDK's to reconnect; its state changes
// are logged. Tokens never reach a log line: they are only ever passed to the SDK.
import type { SlackEvent } from '@slack/types'
import { SocketModeClient } from '@slack/socket-mode'
import type { Logger } from '../util/log.ts'
import { errorText } from '../util/log.ts'
import { envelopeAck } from './ack.ts'
import { checkEvent } from './valid-event.ts'
import { sdkLogger } from './web-client.ts'

export interface ListenerOptions {
  appToken: string
  apiUrl?: string
  /** the SDK's pong timeout, which is also its reconnect delay */
  clientPingTimeoutMs?: number
  log: Logger
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** handles one event; its result is the outcome label for logs and metrics */
  onEvent: (
    eventId: string,
    event: SlackEvent,
    meta: { retryNum?: number; retryReason?: string },
  ) => Promise<string>
  /** handles a button press (a `block_actions` payload), after the envelope is acknowledged */
  onInteractive?: (payload: Record<string, unknown>) => Promise<string>
  /**
   * handles a slash command; the envelope is acknowledged once it returns, with its `response`
   * (a private answer to the person who typed it) as the ack's payload
   */
  /** handles a submitted form (`view_submission`); its response is the ack's payload */
  onViewSubmission?: (
    payload: Record<string, unknown>,
  ) => Promise<{ outcome: string; response?: Record<string, unknown> }>
  onSlashCommand?: (
    payload: Record<string, unknown>,
  ) => Promise<{ outcome: string; response?: Record<string, unknown> }>
  /** counts envelopes: type and outcome */
  count?: (type: string, outcome: string) => void
  /**
   * Errors that may pass (the database locked by another writer): the envelope is then left
   * unacknowledged, so Slack delivers it again rather than the request being lost.
   */
  passing?: (e: unknown) => boolean
}

export interface Listener {
  readonly connected: boolean
  readonly reconnects: number
  readonly lastEventAt: number | null
  stop(): Promise<void>
}

interface EnvelopeArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>
  envelope_id: string
  type: string
  body?: { event_id?: string; event?: SlackEvent; type?: string }
  retry_num?: number
  retry_reason?: string
}

export async function startListener(opts: ListenerOptions): Promise<Listener> {
  const { log } = opts
  const client = new SocketModeClient({
    appToken: opts.appToken,
    clientOptions: opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {},
    ...(opts.clientPingTimeoutMs ? { clientPingTimeout: opts.clientPingTimeoutMs } : {}),
    logger: sdkLogger(log, opts.logLevel),
  })
  let connected = false
  let opened = 0
  let lastEventAt: number | null = null

  client.on('connecting', () => log.info('slack.connecting', {}))
  client.on('connected', () => {
    connected = true
    opened++
    log.info('slack.connected', { connection: opened })
  })
  client.on('reconnecting', () => log.info('slack.reconnecting', {}))
  // 'close' is the SDK's word for "this connection is gone" (a drop, or a `disconnect` envelope).
  client.on('close', () => {
    if (connected) log.warn('slack.connection_lost', { will_reconnect: true })
    connected = false
  })
  client.on('disconnected', () => {
    connected = false
    log.info('slack.disconnected', {})
  })

  client.on('slack_event', async (args: EnvelopeArgs) => {
    lastEventAt = Date.now()
    const once = envelopeAck({
      send: (payload) => args.ack(payload),
      onLate: (ms) => log.warn('slack.ack_slow', { envelope: args.envelope_id, elapsed_ms: ms }),
      onSendError: (e) =>
        log.warn('slack.ack_failed', { envelope: args.envelope_id, error: errorText(e) }),
    })
    const event = args.body?.event
    const eventId = args.body?.event_id
    let type = args.type
    let outcome = 'ignored'
    try {
      if (
        args.type === 'interactive' &&
        args.body?.type === 'view_submission' &&
        opts.onViewSubmission
      ) {
        // A form: its ack carries the answer (errors under the inputs, or close), so it waits.
        type = 'interactive:view_submission'
        const r = await opts.onViewSubmission(args.body as Record<string, unknown>)
        outcome = r.outcome
        await once.ack(r.response)
      } else if (args.type === 'interactive' && args.body && opts.onInteractive) {
        // Button presses are acknowledged at once (Slack shows an error after 3 s otherwise);
        // what they do is idempotent, so a press lost to a crash can simply be pressed again.
        await once.ack()
        type = `interactive:${typeLabel(args.body.type)}`
        outcome = await opts.onInteractive(args.body as Record<string, unknown>)
      } else if (args.type === 'slash_commands' && args.body && opts.onSlashCommand) {
        type = `slash:${String((args.body as Record<string, unknown>).command ?? '')}`
        const r = await opts.onSlashCommand(args.body as Record<string, unknown>)
        outcome = r.outcome
        await once.ack(r.response)
      } else if (args.type === 'events_api' && event && typeof eventId === 'string' && eventId) {
        const checked = checkEvent(event)
        type = typeLabel(event.type)
        if (checked.ok)
          outcome = await opts.onEvent(eventId, checked.event, {
            retryNum: args.retry_num,
            retryReason: args.retry_reason,
          })
        else {
          outcome = 'invalid'
          log.warn('slack.event_invalid', { event_id: eventId, type, reason: checked.reason })
        }
      }
    } catch (e) {
      if (!once.sent && opts.passing?.(e)) {
        outcome = 'deferred'
        log.warn('slack.event_deferred', {
          event_id: eventId,
          type,
          error: errorText(e),
          retry: args.retry_num || undefined,
        })
      } else {
        // Acknowledged anyway: a retry of an event that breaks the handler would only break it again.
        outcome = 'error'
        log.error('slack.event_failed', { event_id: eventId, type, error: errorText(e) })
      }
    } finally {
      if (outcome === 'deferred') once.cancel()
      else await once.ack()
      opts.count?.(type, outcome)
      log.debug('slack.event', {
        event_id: eventId,
        type,
        outcome,
        retry: args.retry_num || undefined,
      })
    }
  })

  await client.start()
  return {
    get connected() {
      return connected
    },
    get reconnects() {
      return Math.max(0, opened - 1)
    },
    get lastEventAt() {
      return lastEventAt
    },
    async stop() {
      // A connection that never finishes its close handshake must not hold up shutdown.
      await Promise.race([client.disconnect(), Bun.sleep(3000)])
    },
  }
}

/** An event type as a metrics label: Slack's own names only, so odd payloads cannot grow the label set. */
const typeLabel = (t: unknown): string =>
  typeof t === 'string' && /^[a-z_]{1,64}$/.test(t) ? t : 'unknown'
