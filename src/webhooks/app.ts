// The web app: GitHub deliveries, job callbacks, health, liveness, readiness and metrics, each route in its own file.
// Built from the bot's context alone, so tests drive it with app.request() and no network.
import { Hono } from 'hono'
import type { AppContext } from '../app/context.ts'
import { errorText } from '../util/log.ts'
import { accessLog, safePath } from './access-log.ts'
import { BodyBudget } from './body-budget.ts'
import { callbackRoutes } from './callbacks.ts'
import { enableCallbacks } from '../dispatcher/callback-url.ts'
import { githubRoutes } from './github.ts'
import { healthRoutes, type HealthOptions } from './healthz.ts'
import { metricsRoutes } from './metrics.ts'
import { probeRoutes } from './probes.ts'
import type { WebEnv } from './web-env.ts'

export interface WebAppOptions {
  health?: HealthOptions
  /** the run pages (src/web), served under /web when the config enables them */
  pages?: { fetch: (req: Request) => Response | Promise<Response> }
}

export function createWebhookApp(ctx: AppContext, opts: WebAppOptions = {}): Hono<WebEnv> {
  // From here on the dispatcher hands callback jobs a URL this app will accept.
  const callbackKey = enableCallbacks(ctx)
  const app = new Hono<WebEnv>()
  const bodies = new BodyBudget(ctx.config.settings.webhook_bytes_in_flight)
  app.use(accessLog(ctx.log))
  app.use(bodies.middleware())
  app.route('/github', githubRoutes(ctx))
  app.route('/callbacks', callbackRoutes(ctx, callbackKey))
  app.route('/', healthRoutes(ctx, opts.health))
  app.route('/', probeRoutes(ctx, opts.health))
  app.route('/', metricsRoutes(ctx))
  if (opts.pages) app.mount('/web', opts.pages.fetch)
  app.notFound((c) => {
    c.set('outcome', 'not_found')
    return c.json({ outcome: 'not_found' }, 404)
  })
  app.onError((e, c) => {
    ctx.log.error('http.error', {
      method: c.req.method,
      path: safePath(c.req.path),
      error: errorText(e),
    })
    c.set('outcome', 'error')
    return c.json({ outcome: 'error' }, 500)
  })
  return app
}
