// One support hit made durable, shared by the live event path and the missed-message sweep: per
// route, once per message, (the away notice,) the reaction and the repost, with the route's seen
// mark, inside the caller's transaction. Both paths take the same mark, so whichever comes second
// finds the message taken and posts nothing.
import { awayNotice, isAwayOn, utcDay } from '../commands/away.ts'
import type { Db } from '../queue/db.ts'
import { getAway } from '../queue/away.ts'
import { enqueueOutgoing } from '../queue/outbox.ts'
import { markSeen } from '../queue/seen.ts'
import { supportOutgoing, type SupportRoute } from './support.ts'

export const supportKey = (route: SupportRoute, message: { channel: string; ts: string }) =>
  `${route.reaction}:${message.channel}:${message.ts}`

/** Returns the routes it stored something for (none when every one was handled before). */
export function recordSupport(
  tx: Db,
  now: number,
  routes: readonly SupportRoute[],
  message: { channel: string; ts: string; threadTs?: string },
): SupportRoute[] {
  const stored: SupportRoute[] = []
  for (const route of routes) {
    // Keyed by route and message, not by event: a mention and a message event for one message,
    // an edit of a message already reposted, or the sweep finding it later all find it taken.
    if (!markSeen(tx, now, 'slack-support', supportKey(route, message))) continue
    const away = route.outOfOffice ? getAway(tx) : undefined
    const notice = isAwayOn(away, utcDay(now)) ? awayNotice(away) : undefined
    enqueueOutgoing(tx, now, 'slack', supportOutgoing(route, message, notice))
    stored.push(route)
  }
  return stored
}
