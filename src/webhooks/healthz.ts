// GET /healthz: each part of the bot and how it is doing; 503 when any part is not. GET /check/: the
// Python ebmbot's liveness route. For systemd watchdogs, load balancers and people.
import { Hono, type Context } from 'hono'
import type { AppContext, WorkerHealth } from '../app/context.ts'
import { instanceLabel, instancesUp } from '../app/instances.ts'
import { freeBytes, tooFull } from '../dispatcher/logs-room.ts'
import { errorText } from '../util/log.ts'
import type { WebEnv } from './web-env.ts'

export interface HealthOptions {
  /** replaceable in tests; by default a fresh connection takes and drops the write lock */
  probe?: () => Promise<WorkerHealth>
}

/** A startable request waiting this long means the dispatcher is not doing its job. */
const lagLimitMs = (ctx: AppContext) => Math.max(30_000, ctx.config.settings.poll_interval * 3000)

async function healthChecks(
  ctx: AppContext,
  opts: HealthOptions = {},
): Promise<Record<string, WorkerHealth>> {
  const checks: Record<string, WorkerHealth> = {}
  const probe = opts.probe ?? (() => ctx.queue.probe())
  checks.database = await guarded(async () => {
    await ctx.queue.ping() // our own connection, not only the file
    return probe()
  })
  if (checks.database.ok) {
    checks.queue = await guarded(async () => {
      const s = await ctx.queue.queueStats(ctx.now())
      // Lag while every slot is busy is the parallel limit at work, not a fault.
      const saturated = s.running >= ctx.config.settings.max_parallel
      return {
        ok: saturated || s.lagMs < lagLimitMs(ctx),
        detail: { queued: s.queued, running: s.running, lag_seconds: s.lagMs / 1000 },
      }
    })
  }
  // This instance, and the others on the same database: a load balancer asks each one. Read only
  // when the database answers: behind another process's lock the read would wait with the rest of
  // the queue's work, and /healthz must answer at once to say the database is the trouble.
  if (checks.database.ok)
    checks.instances = await guarded(async () => {
      const up = await instancesUp(ctx)
      return {
        ok: up.some((w) => w.id === ctx.workerId),
        detail: {
          self: ctx.workerId,
          tags: ctx.env.instanceTags,
          up: up.map((w) => ({
            instance: instanceLabel(w),
            id: w.id,
            tags: w.tags,
            heartbeat_age_seconds: Math.max(0, ctx.now() - w.heartbeatAt) / 1000,
          })),
        },
      }
    })
  // Jobs fail once their output cannot be written: worth an alert before the next deploy.
  checks.logs_disk = await guarded(() => {
    const free = freeBytes(ctx.logsDir)
    return { ok: !tooFull(free), detail: { free_bytes: free } }
  })
  for (const [name, check] of ctx.health) checks[name] = await guarded(check)
  return checks
}

export function healthRoutes(ctx: AppContext, opts: HealthOptions = {}): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  app.get('/healthz', async (c) => {
    const checks = await healthChecks(ctx, opts)
    const ok = Object.values(checks).every((x) => x.ok)
    c.set('outcome', ok ? 'healthy' : 'unhealthy')
    c.header('cache-control', 'no-store')
    return c.json({ ok, checks }, ok ? 200 : 503)
  })
  // The Python ebmbot's liveness route, kept so its monitors and load balancers need no change:
  // like the original it says only that the web server answers (/healthz says more).
  const check = (c: Context<WebEnv>) => {
    c.set('outcome', 'ok')
    c.header('cache-control', 'no-store')
    return c.text('ok')
  }
  app.get('/check/', check)
  app.get('/check', check)
  return app
}

/** A check that throws is a failing check, not a failing endpoint. */
async function guarded(check: () => WorkerHealth | Promise<WorkerHealth>): Promise<WorkerHealth> {
  try {
    return await check()
  } catch (e) {
    return { ok: false, detail: { error: errorText(e) } }
  }
}
