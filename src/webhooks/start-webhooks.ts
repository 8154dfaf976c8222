// The web server as a worker of `ebmbot serve`: Bun.serve on WEBHOOK_HOST:WEBHOOK_PORT
// (127.0.0.1:9000 by default: put a reverse proxy with TLS in front, see the README).
import type { AppContext } from '../app/context.ts'
import type { Worker } from '../app/context.ts'
import { ConfigError } from '../config/errors.ts'
import { createWebhookApp, type WebAppOptions } from './app.ts'
import { callbackJobs } from './wanted.ts'

export async function startWebhooks(
  ctx: AppContext,
  opts: Pick<WebAppOptions, 'pages'> = {},
): Promise<Worker> {
  const { host, port, origin } = ctx.env.webhook
  const needOrigin = callbackJobs(ctx)
  if (needOrigin.length && !origin) {
    // A callback URL has to be reachable from the job's point of view; only the operator knows it.
    throw new ConfigError(
      ctx.config.source,
      needOrigin.map((j) => ({
        path: `namespaces.${j.namespace}.jobs.${j.name}.callback`,
        message:
          'callback jobs need WEBHOOK_ORIGIN (the public base URL of the web server, e.g. https://bot.example.org)',
      })),
    )
  }
  for (const p of Object.values(ctx.config.github?.projects ?? {})) {
    const variable = p.secretEnv ?? 'GITHUB_WEBHOOK_SECRET'
    if (!ctx.env.vars[variable])
      ctx.log.warn('github.no_secret', {
        project: p.name,
        variable,
        effect: 'every delivery gets 401',
      })
  }
  const app = createWebhookApp(ctx, opts)
  // development: false, so an unexpected error can never come back as a page with a stack trace.
  const server = Bun.serve({ fetch: app.fetch, hostname: host, port, development: false })
  ctx.log.info('webhooks.listening', {
    url: server.url.href,
    projects: Object.keys(ctx.config.github?.projects ?? {}).join(','),
    ...(opts.pages
      ? { pages: new URL('/web/', ctx.config.web?.public_url ?? server.url).href }
      : {}),
  })
  return {
    name: 'webhooks',
    async stop() {
      // Stop accepting, let requests in flight finish: their rows are committed before they answer.
      await server.stop()
      ctx.log.info('webhooks.stopped', {})
    },
  }
}
