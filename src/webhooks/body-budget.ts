// One budget for request bodies held in memory across every request at once: a flood of large
// bodies (unauthenticated: signatures can only be checked once a body is whole) gets 503s instead
// of the bot's memory. Each request leases bytes as they arrive and returns them when answered.
import type { MiddlewareHandler } from 'hono'
import type { WebEnv } from './web-env.ts'

export interface BodyLease {
  /** false when taking `bytes` more would pass the budget (nothing is taken then) */
  take(bytes: number): boolean
  /** whether `bytes` more would fit now (nothing is taken) */
  fits(bytes: number): boolean
}

export class BodyBudget {
  private used = 0

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used
  }

  /** Middleware: gives the request a lease and returns everything it took once it is answered. */
  middleware(): MiddlewareHandler<WebEnv> {
    return async (c, next) => {
      let held = 0
      c.set('bodyLease', {
        take: (bytes) => {
          if (this.used + bytes > this.limit) return false
          this.used += bytes
          held += bytes
          return true
        },
        fits: (bytes) => this.used + bytes <= this.limit,
      })
      try {
        await next()
      } finally {
        this.used -= held
      }
    }
  }
}
