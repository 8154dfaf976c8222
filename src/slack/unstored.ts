// Slack events the database could not store (a full disk, a lock held too long) are left
// unacknowledged, so Slack delivers them again, but Slack gives up after three tries within a
// few minutes. The bot keeps them too, in memory, and tries again until they are stored: the
// person gets their answer once storing works again. A redelivery and a retry of the same event
// are one request (the seen marks), whichever is stored first.
import type { SlackEvent } from '@slack/types'
import type { Logger } from '../util/log.ts'

/** More than this waiting means the outage is long; the oldest are left to Slack's redelivery. */
const MAX_KEPT = 1000

export interface Unstored {
  keep(eventId: string, event: SlackEvent): void
  readonly size: number
  stop(): void
}

export function keepUnstored(opts: {
  /** stores the event again; throws while storing still fails */
  retry: (eventId: string, event: SlackEvent) => Promise<unknown>
  log: Logger
  firstRetryMs?: number
}): Unstored {
  const kept = new Map<string, SlackEvent>()
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let delay = opts.firstRetryMs ?? 2000

  async function retryAll(): Promise<void> {
    timer = undefined
    for (const [id, event] of kept) {
      if (stopped) return
      try {
        await opts.retry(id, event)
        kept.delete(id)
        opts.log.info('slack.event_stored_late', { event_id: id, waiting: kept.size })
      } catch (e) {
        opts.log.warn('slack.event_still_unstored', {
          event_id: id,
          waiting: kept.size,
          error: e instanceof Error ? e.message : String(e),
        })
        delay = Math.min(delay * 2, 30_000)
        break // storing still fails: wait before trying the others
      }
    }
    if (!kept.size) delay = opts.firstRetryMs ?? 2000
    schedule()
  }

  function schedule() {
    if (!stopped && kept.size && !timer) timer = setTimeout(() => void retryAll(), delay)
  }

  return {
    keep(eventId, event) {
      if (kept.has(eventId) || stopped) return
      if (kept.size >= MAX_KEPT) {
        const oldest = kept.keys().next().value
        if (oldest !== undefined) kept.delete(oldest)
      }
      kept.set(eventId, event)
      schedule()
    },
    get size() {
      return kept.size
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}
