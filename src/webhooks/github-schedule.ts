// Queues what a delivery fired, by the chat rules, in one unit of work with the delivery id: the
// id is recorded only if the requests are, so GitHub gets a 2xx only once they are committed, and
// a redelivery after a refusal or a crash is processed normally.
import type { AppContext } from '../app/context.ts'
import { requestFromTrigger } from '../app/fire-trigger.ts'
import type { QueueOps } from '../queue/queue.ts'
import type { ScheduleResult } from '../queue/schedule.ts'
import type { Fired } from './triggers.ts'

const DELIVERY_SOURCE = 'github-delivery'
/** Digests of accepted bodies: a signature covers the body only, so a body sent again is a replay. */
const BODY_SOURCE = 'github-body'

/** The run a delivery id already queued, if it did (only deliveries that queued are recorded). */
export const deliveryRun = (q: QueueOps, delivery: string) => q.seenRun(DELIVERY_SOURCE, delivery)

export interface Delivery {
  project: string
  id: string
  /** SHA-256 of the project name and the raw body, and how long it counts as already seen */
  bodyDigest: string
  replayWindowMs: number
  event: string
  action?: string
  /** `github:<sender login>` */
  requester: string
}

export type Scheduled =
  | { kind: 'queued'; results: ScheduleResult[] }
  | { kind: 'duplicate'; of: 'delivery' | 'body' }

class AlreadyRecorded extends Error {
  constructor(readonly of: 'delivery' | 'body') {
    super(`${of} already recorded`)
  }
}

export async function scheduleDelivery(
  ctx: AppContext,
  d: Delivery,
  fired: Fired[],
): Promise<Scheduled> {
  const by = {
    door: 'github' as const,
    requestedBy: d.requester,
    requestText: `GitHub ${d.event}${d.action ? ` ${d.action}` : ''} for ${d.project} (delivery ${d.id})`,
  }
  try {
    const results = await ctx.queue.atomically(async (q) => {
      const results: ScheduleResult[] = []
      for (const { trigger: t, params } of fired)
        results.push(await requestFromTrigger({ ...ctx, queue: q }, by, { ...t, params }))
      // Both marks at once (on PostgreSQL, one round trip while the job type's lock is held);
      // either refusal undoes the whole unit, the other mark with it.
      const now = ctx.now()
      const runId = results[0]?.run.id
      const [delivery, body] = await Promise.all([
        q.markSeen(now, DELIVERY_SOURCE, d.id, runId),
        q.markSeenWithin(now, BODY_SOURCE, d.bodyDigest, d.replayWindowMs, runId),
      ])
      // A concurrent copy of this delivery committed first: undo ours, answer as a redelivery.
      if (!delivery) throw new AlreadyRecorded('delivery')
      // The same signed body under a new delivery id: a capture replayed, not a new event.
      if (!body) throw new AlreadyRecorded('body')
      return results
    })
    return { kind: 'queued', results }
  } catch (e) {
    if (e instanceof AlreadyRecorded) return { kind: 'duplicate', of: e.of }
    throw e
  }
}
