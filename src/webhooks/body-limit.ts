// Body size guard: refuses on Content-Length before reading anything, and stops reading (never
// buffering more than the limit) when a chunked body grows past it. The raw bytes it keeps are
// what signatures are checked against. With a lease, the bytes also count against the budget
// shared by all requests in flight ('busy' when it is spent).
import type { Context, MiddlewareHandler } from 'hono'
import type { BodyLease } from './body-budget.ts'
import type { WebEnv } from './web-env.ts'

/** The body's bytes; null when it is larger than `maxBytes`; 'busy' when the budget is spent. */
export async function readLimited(req: Request, maxBytes: number): Promise<Uint8Array | null>
export async function readLimited(
  req: Request,
  maxBytes: number,
  lease?: BodyLease,
): Promise<Uint8Array | null | 'busy'>
export async function readLimited(
  req: Request,
  maxBytes: number,
  lease?: BodyLease,
): Promise<Uint8Array | null | 'busy'> {
  // RFC 9112 §6.3: with Transfer-Encoding present, Content-Length is not the length; only trust
  // it alone. A body longer than its Content-Length is cut by the server's framing anyway.
  const declared = req.headers.get('content-length')
  const length =
    declared !== null && !req.headers.has('transfer-encoding') ? Number(declared) : null
  if (length !== null && length > maxBytes) return null
  if (length !== null && lease && !lease.fits(length)) return 'busy'
  if (!req.body) return new Uint8Array(0)
  // A declared length within the limit: the server's framing stops the body there, so it can be
  // read whole in one native call (the chunk-by-chunk reader below costs more than the rest of
  // a small delivery's handling).
  if (length !== null && Number.isSafeInteger(length) && length >= 0) {
    if (lease && !lease.take(length)) return 'busy'
    return req.bytes()
  }
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      return null
    }
    if (lease && !lease.take(value.byteLength)) {
      await reader.cancel().catch(() => {})
      return 'busy'
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

export interface BodyLimitOptions {
  /** bytes; a function when the limit depends on the route (a project's own limit) */
  maxBytes: number | ((c: Context<WebEnv>) => number)
  onTooLarge: (c: Context<WebEnv>, maxBytes: number) => Response | Promise<Response>
  /** the bodies in flight already hold the whole budget */
  onBusy: (c: Context<WebEnv>) => Response | Promise<Response>
}

/** Middleware: reads the body within the limit into `c.var.rawBody`, or answers `onTooLarge`. */
export function bodyLimit(opts: BodyLimitOptions): MiddlewareHandler<WebEnv> {
  return async function bodyLimit(c, next) {
    const max = typeof opts.maxBytes === 'function' ? opts.maxBytes(c) : opts.maxBytes
    const bytes = await readLimited(c.req.raw, max, c.get('bodyLease'))
    if (bytes === 'busy') return opts.onBusy(c)
    if (!bytes) return opts.onTooLarge(c, max)
    c.set('rawBody', bytes)
    await next()
  }
}
