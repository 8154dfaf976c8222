// Guests: Slack users flagged restricted or ultra-restricted. Looked up with
// users.info on first use and cached briefly, so people who join later are seen as they are.
// Fail closed: a record without the flags, a failed or slow lookup, counts as a guest.
import type { WebClient } from '@slack/web-api'
import type { Logger } from '../util/log.ts'
import { errorText } from '../util/log.ts'
import { toDeliveryError } from './errors.ts'

export interface GuestCheckOptions {
  web: WebClient
  log: Logger
  ttlMs?: number
  /** the lookup happens before the envelope is acknowledged, which Slack wants within 3 s */
  timeoutMs?: number
  now?: () => number
}

export class GuestCheck {
  private readonly cache = new Map<string, { guest: boolean; at: number }>()
  private readonly ttlMs: number
  private readonly timeoutMs: number
  private readonly now: () => number

  constructor(private readonly opts: GuestCheckOptions) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000
    this.timeoutMs = opts.timeoutMs ?? 1500
    this.now = opts.now ?? Date.now
  }

  async isGuest(user: string): Promise<boolean> {
    return (await this.lookup(user)).guest
  }

  /** `known` is false when Slack did not answer: the user then counts as a guest, unverified. */
  async lookup(user: string): Promise<{ guest: boolean; known: boolean }> {
    const hit = this.cache.get(user)
    if (hit && this.now() - hit.at < this.ttlMs) return { guest: hit.guest, known: true }
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        )
      })
      const res = await Promise.race([this.opts.web.users.info({ user }), timeout])
      const u = res.user
      const known =
        typeof u?.is_restricted === 'boolean' && typeof u?.is_ultra_restricted === 'boolean'
      const guest = !known || !!u?.is_restricted || !!u?.is_ultra_restricted
      this.cache.set(user, { guest, at: this.now() })
      return { guest, known: true }
    } catch (e) {
      // Not cached: the next message asks again, so a passing failure does not stick.
      this.opts.log.warn('slack.user_lookup_failed', {
        user,
        error: errorText(e),
        treated_as: 'guest',
      })
      // Unknown only for passing trouble (a timeout, rate limit, Slack down); `user_not_found` is an answer.
      return { guest: true, known: !toDeliveryError(e).retryable }
    } finally {
      clearTimeout(timer)
    }
  }
}
