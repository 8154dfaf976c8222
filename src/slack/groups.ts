// Slack user group membership for access rules: only the groups the config names are looked
// up (usergroups.users.list), each cached briefly. A failed lookup counts as "not a member".
import type { WebClient } from '@slack/web-api'
import { errorText, type Logger } from '../util/log.ts'
import { toDeliveryError } from './errors.ts'

const TTL_MS = 5 * 60_000
const LOOKUP_TIMEOUT_MS = 1000

export { configuredGroups } from '../config/user-groups.ts'

export class GroupMembership {
  private cache = new Map<string, { members: Set<string>; at: number }>()

  constructor(
    private readonly opts: { web: WebClient; groups: string[]; log: Logger; now?: () => number },
  ) {}

  /** The configured groups `user` belongs to, and those Slack did not answer for. */
  async of(user: string): Promise<{ groups: string[]; unknown: string[] }> {
    const groups: string[] = []
    const unknown: string[] = []
    for (const g of this.opts.groups) {
      const members = await this.members(g)
      if (!members) unknown.push(g)
      else if (members.has(user)) groups.push(g)
    }
    return { groups, unknown }
  }

  /** null when Slack did not answer (not cached: the next message asks again). */
  private async members(group: string): Promise<Set<string> | null> {
    const now = (this.opts.now ?? Date.now)()
    const hit = this.cache.get(group)
    if (hit && now - hit.at < TTL_MS) return hit.members
    try {
      // Looked up while Slack waits for the ack: an answer that does not come soon counts as
      // "not a member" (fail closed), like a failed guest lookup.
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`)),
          LOOKUP_TIMEOUT_MS,
        )
      })
      const res = await Promise.race([
        this.opts.web.usergroups.users.list({ usergroup: group }),
        timeout,
      ]).finally(() => clearTimeout(timer))
      const members = new Set(res.users ?? [])
      this.cache.set(group, { members, at: now })
      return members
    } catch (e) {
      this.opts.log.warn('slack.group_lookup_failed', { group, error: errorText(e) })
      // A definite answer (no such group, a missing scope) means no members; only passing
      // trouble (a timeout, rate limit, Slack down) leaves membership unknown.
      return toDeliveryError(e).retryable ? null : new Set()
    }
  }
}
