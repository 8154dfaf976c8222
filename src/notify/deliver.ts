// Delivers the outbox through one transport: in id order per channel, retrying with backoff
// (honouring Retry-After), resuming whatever a previous process left pending.
import { IN_FLIGHT } from '../queue/outbox.ts'
import type { Queue } from '../queue/queue.ts'
import type { Door } from '../queue/schema.ts'
import { errorText, type Logger } from '../util/log.ts'
import type { Signal } from '../util/signal.ts'
import type { Outgoing } from '../app/door.ts'

export interface Transport {
  /**
   * Sends one message; returns what later edits need (e.g. the message ts). Throws DeliveryError.
   * `sending.resumed`: it was being sent when the bot stopped, so it may have arrived already;
   * a transport that can look (Slack, by the outbox id in the message's metadata) does so first.
   */
  deliver(msg: Outgoing, sending?: { outboxId: number; resumed: boolean }): Promise<unknown>
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

export interface DelivererDeps {
  queue: Queue
  door: Door
  transport: Transport
  wake: Signal
  now?: () => number
  log: Logger
  /** fallback poll, for rows written by another process */
  pollMs?: number
  /**
   * the bot process sending (its workers id): a message is taken before it is sent, so of
   * several instances delivering one outbox only one sends each message
   */
  sender?: string
}

const backoffMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 5 * 60_000)
/** After failed passes: the poll, doubled each time, at most 10 s. */
export const passBackoffMs = (pollMs: number, failures: number) =>
  Math.min(pollMs * 2 ** (failures - 1), 10_000)

export function startDeliverer(deps: DelivererDeps) {
  const now = deps.now ?? Date.now
  const sender = deps.sender ?? `deliverer:${crypto.randomUUID()}`
  let stopped = false
  let busy = false
  // Sent, but the database refused to record it (locked past the busy timeout): the next pass
  // records it instead of sending it again. Only a crash before then sends it twice.
  const unrecorded = new Map<number, unknown>()

  /**
   * Delivers until nothing is due: each round sends the oldest message of every channel that has
   * one due, so channels take turns, a flood in one channel delays the others by one message a
   * round at most, and a channel waiting out a 429 (or a backoff) holds only itself. Returns when
   * the next message falls due, if one is waiting.
   */
  async function pass(): Promise<number | null> {
    for (;;) {
      const round = await deliverRound()
      if (!round.sent) return round.next
    }
  }

  async function deliverRound(): Promise<{ sent: boolean; next: number | null }> {
    const q = deps.queue
    let next: number | null = null
    let sent = false
    for (const row of await q.outboxHeads(deps.door)) {
      const msg = row.payload as Outgoing
      if (row.nextAttemptAt > now()) {
        next = Math.min(next ?? Infinity, row.nextAttemptAt)
        continue
      }
      if (unrecorded.has(row.id)) {
        await q.markSent(now(), row.id, unrecorded.get(row.id))
        unrecorded.delete(row.id)
        sent = true
        continue
      }
      let result: unknown
      try {
        const resumed = row.lastError === IN_FLIGHT
        // Held by another living instance (it is sending it now): that one finishes the channel.
        if (!(await q.takeOutgoing(now(), row.id, sender, msg.kind === 'message'))) continue
        result = await deps.transport.deliver(msg, { outboxId: row.id, resumed })
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError(errorText(e), true)
        if (err.retryable) {
          const at = now() + Math.max(err.retryAfterMs ?? 0, backoffMs(row.attempts))
          await q.markRetry(row.id, at, err.message)
          next = Math.min(next ?? Infinity, at)
          deps.log.warn('outbox.retry', {
            id: row.id,
            run: row.runId,
            channel: msg.channel,
            attempts: row.attempts + 1,
            error: err.message,
            retry_in_ms: at - now(),
          })
        } else {
          await q.markFailed(now(), row.id, err.message)
          sent = true // the channel's next message may go now
          deps.log.error('outbox.rejected', { id: row.id, run: row.runId, error: err.message })
          if (msg.kind === 'message' && !msg.fallback) {
            // Say at least that something could not be posted, in the same place.
            const text = `I could not post a message here (${err.message}). It began: ${msg.text.slice(0, 300)}`
            await q.enqueueOutgoing(
              now(),
              deps.door,
              [
                {
                  kind: 'message',
                  purpose: msg.purpose,
                  channel: msg.channel,
                  threadTs: msg.threadTs,
                  text,
                  fallback: true,
                },
              ],
              row.runId,
            )
          }
        }
        continue
      }
      // Outside the transport's try: the message went out, so a database error here (a lock held
      // past the busy timeout) is no delivery failure. It ends the pass; the row stays pending.
      unrecorded.set(row.id, result)
      await q.markSent(now(), row.id, result)
      unrecorded.delete(row.id)
      sent = true
    }
    return { sent, next }
  }

  const done = (async () => {
    let failures = 0
    while (!stopped) {
      busy = true
      let next: number | null = null
      try {
        next = await pass()
        failures = 0
      } catch (e) {
        failures++
        deps.log.error('outbox.pass_failed', { error: errorText(e), failures })
      }
      busy = false
      if (stopped) break
      const poll = deps.pollMs ?? 2000
      if (failures) {
        // The database is failing (most likely locked by another writer): every pass would stall
        // the whole bot for a busy timeout, so back off, not woken early by new messages.
        const until = now() + passBackoffMs(poll, failures)
        while (!stopped && now() < until) await deps.wake.wait(until - now())
        continue
      }
      await deps.wake.wait(next === null ? poll : Math.min(poll, Math.max(0, next - now())))
    }
  })()

  return {
    get busy() {
      return busy
    },
    /** Ends the loop after one last pass, so what was stored meanwhile is not left waiting. */
    async stop() {
      stopped = true
      deps.wake.notifyHere()
      await done
      await pass().catch((e) => deps.log.error('outbox.pass_failed', { error: errorText(e) }))
    },
  }
}
