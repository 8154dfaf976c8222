// GET /livez and /readyz, for orchestrators and load balancers. /livez: the process answers (a
// restart would not help anything else). /readyz: it can take work now: the database is
// writable, the dispatcher is running, and Slack is connected when Slack is configured. Queue
// lag and disk room stay in /healthz: they call for a person, not for traffic to move.
import { Hono } from 'hono'
import type { AppContext, WorkerHealth } from '../app/context.ts'
import { errorText } from '../util/log.ts'
import { probeDatabase } from './db-probe.ts'
import type { WebEnv } from './web-env.ts'

export interface ReadyOptions {
  /** replaceable in tests; by default a fresh connection takes and drops the write lock */
  probe?: () => WorkerHealth
}

const missing = (what: string): WorkerHealth => ({
  ok: false,
  detail: { error: `${what} not started` },
})

export function readinessChecks(
  ctx: AppContext,
  opts: ReadyOptions = {},
): Record<string, WorkerHealth> {
  const probe = opts.probe ?? (() => probeDatabase(ctx.queue.file))
  const run = (check: (() => WorkerHealth) | undefined, what: string): WorkerHealth => {
    if (!check) return missing(what)
    try {
      return check()
    } catch (e) {
      return { ok: false, detail: { error: errorText(e) } }
    }
  }
  const checks: Record<string, WorkerHealth> = {
    database: run(probe, 'database'),
    dispatcher: run(ctx.health.get('dispatcher'), 'dispatcher'),
  }
  const { appToken, botToken } = ctx.env.slack
  if (appToken && botToken) checks.slack = run(ctx.health.get('slack'), 'Slack connection')
  return checks
}

export function probeRoutes(ctx: AppContext, opts: ReadyOptions = {}): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  app.get('/livez', (c) => {
    c.set('outcome', 'alive')
    c.header('cache-control', 'no-store')
    return c.json({ ok: true })
  })
  app.get('/readyz', (c) => {
    const checks = readinessChecks(ctx, opts)
    const ok = Object.values(checks).every((x) => x.ok)
    c.set('outcome', ok ? 'ready' : 'not_ready')
    c.header('cache-control', 'no-store')
    return c.json({ ok, checks }, ok ? 200 : 503)
  })
  return app
}
