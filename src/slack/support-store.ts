// One support hit made durable, shared by the live event path and the missed-message sweep: per
// route, once per message, (the away notice,) the reaction and the repost, with the route's seen
// mark, inside the caller's unit of work. Both paths take the same mark, so whichever comes second
// finds the message taken and posts nothing.
import { awayNotice, isAwayOn, utcDay } from '../commands/away.ts'
import type { QueueOps } from '../queue/queue.ts'
import { supportOutgoing, type SupportRoute } from './support.ts'

export const supportKey = (route: SupportRoute, message: { channel: string; ts: string }) =>
  `${route.reaction}:${message.channel}:${message.ts}`

/** Returns the routes it stored something for (none when every one was handled before). */
export async function recordSupport(
  q: QueueOps,
  now: number,
  routes: readonly SupportRoute[],
  message: { channel: string; ts: string; threadTs?: string },
): Promise<SupportRoute[]> {
  const stored: SupportRoute[] = []
  for (const route of routes) {
    // Keyed by route and message, not by event: a mention and a message event for one message,
    // an edit of a message already reposted, or the sweep finding it later all find it taken.
    if (!(await q.markSeen(now, 'slack-support', supportKey(route, message)))) continue
    const away = route.outOfOffice ? await q.getAway() : undefined
    const notice = isAwayOn(away, utcDay(now)) ? awayNotice(away) : undefined
    await q.enqueueOutgoing(now, 'slack', supportOutgoing(route, message, notice))
    stored.push(route)
  }
  return stored
}
