// Whether `ebmbot serve` runs the web server, decided from the config and environment alone: a
// module of its own so that deciding loads none of the server's.
import type { AppContext } from '../app/context.ts'

/**
 * The server runs when something needs it: GitHub projects, a job that posts callbacks, or an
 * explicit WEBHOOK_* address (for /healthz and /metrics alone). A bot with none of these opens no
 * port, so two bots on one host (or the tests) never fight over 9000.
 */
export function webhooksWanted(ctx: Pick<AppContext, 'config' | 'env'>): boolean {
  const v = ctx.env.vars
  return (
    !!ctx.config.github ||
    callbackJobs(ctx).length > 0 ||
    !!(v.WEBHOOK_PORT || v.WEBHOOK_HOST || v.WEBHOOK_ORIGIN)
  )
}

/** The configured jobs that post callbacks to the web server. */
export const callbackJobs = (ctx: Pick<AppContext, 'config'>) =>
  Object.values(ctx.config.namespaces).flatMap((ns) =>
    Object.values(ns.jobs).filter((j) => j.callback),
  )
