// One structured line per request: method, path, status, time, outcome. Never headers, bodies or
// query strings, and never a callback token (it sits in the path, so that segment is masked).
import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../util/log.ts'
import type { WebEnv } from './web-env.ts'

/** Probes arrive every few seconds; they are logged at debug so they do not drown the rest. */
const QUIET = new Set(['/healthz', '/metrics'])

export const safePath = (path: string) =>
  path.replace(/^(\/callbacks\/[^/]*)\/.*$/, '$1/<token>').slice(0, 200)

export function accessLog(log: Logger): MiddlewareHandler<WebEnv> {
  return async function accessLog(c, next) {
    const started = performance.now()
    await next()
    const path = safePath(c.req.path)
    const fields = {
      method: c.req.method,
      path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      outcome: c.get('outcome'),
      ...c.get('logFields'),
    }
    if (QUIET.has(path) && c.res.status < 400) log.debug('http.request', fields)
    else log.info('http.request', fields)
  }
}
