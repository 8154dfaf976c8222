// GET /livez and /readyz, for orchestrators and load balancers. /livez: the process answers (a
// restart would not help anything else). /readyz: it can take work now: the database is
// writable, the dispatcher is running, and Slack is connected when Slack is configured. Queue
// lag and disk room stay in /healthz: they call for a person, not for traffic to move.
import { Hono } from 'hono'
import type { AppContext, WorkerHealth } from '../app/context.ts'
import { errorText } from '../util/log.ts'
import type { HealthOptions } from './healthz.ts'
import type { WebEnv } from './web-env.ts'

const missing = (what: string): WorkerHealth => ({
  ok: false,
  detail: { error: `${what} not started` },
})

async function run(
  check: (() => WorkerHealth | Promise<WorkerHealth>) | undefined,
  what: string,
): Promise<WorkerHealth> {
  if (!check) return missing(what)
  try {
    return await check()
  } catch (e) {
    return { ok: false, detail: { error: errorText(e) } }
  }
}

async function readinessChecks(
  ctx: AppContext,
  opts: HealthOptions = {},
): Promise<Record<string, WorkerHealth>> {
  const probe = opts.probe ?? (() => ctx.queue.probe())
  const checks: Record<string, WorkerHealth> = {
    database: await run(async () => {
      await ctx.queue.ping() // our own connection, not only the file
      return probe()
    }, 'database'),
    dispatcher: await run(ctx.health.get('dispatcher'), 'dispatcher'),
  }
  const { appToken, botToken } = ctx.env.slack
  if (appToken && botToken) checks.slack = await run(ctx.health.get('slack'), 'Slack connection')
  return checks
}

export function probeRoutes(ctx: AppContext, opts: HealthOptions = {}): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  app.get('/livez', (c) => {
    c.set('outcome', 'alive')
    c.header('cache-control', 'no-store')
    return c.json({ ok: true })
  })
  app.get('/readyz', async (c) => {
    const checks = await readinessChecks(ctx, opts)
    const ok = Object.values(checks).every((x) => x.ok)
    c.set('outcome', ok ? 'ready' : 'not_ready')
    c.header('cache-control', 'no-store')
    return c.json({ ok, checks }, ok ? 200 : 503)
  })
  return app
}
