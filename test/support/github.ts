// GitHub deliveries for tests: payloads shaped like GitHub's, signed with @octokit/webhooks-methods
// exactly as GitHub signs them (HMAC of the raw body), and a free loopback port for real servers.
import { sign } from '@octokit/webhooks-methods'
import { createServer } from 'node:net'

export interface DeliveryOptions {
  event?: string
  id?: string
  /** sign with this secret; null sends no signature header at all */
  secret?: string | null
  /** send these bytes instead of JSON.stringify(payload) (still signed unless secret is null) */
  raw?: string
  headers?: Record<string, string>
}

let n = 0
export const newDeliveryId = () => `${crypto.randomUUID()}-${++n}`

/** A RequestInit for POST /github/<project>, as GitHub would send it. */
export async function delivery(
  payload: unknown,
  opts: DeliveryOptions = {},
): Promise<RequestInit & { headers: Record<string, string> }> {
  const body = opts.raw ?? JSON.stringify(payload)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': opts.event ?? 'pull_request',
    'x-github-delivery': opts.id ?? newDeliveryId(),
    ...(opts.secret === null
      ? {}
      : { 'x-hub-signature-256': await sign(opts.secret ?? 'gh-secret', body) }),
    ...opts.headers,
  }
  return { method: 'POST', body, headers }
}

export function pullRequest(
  o: {
    action?: string
    merged?: boolean
    base?: string
    head?: string
    login?: string
    number?: number
  } = {},
) {
  return {
    action: o.action ?? 'closed',
    number: o.number ?? 7,
    pull_request: {
      number: o.number ?? 7,
      merged: o.merged ?? true,
      merge_commit_sha: '0123456789abcdef0123456789abcdef01234567',
      base: { ref: o.base ?? 'main' },
      head: { ref: o.head ?? 'feature/x' },
    },
    repository: { full_name: 'acme/site' },
    sender: { login: o.login ?? 'octocat' },
  }
}

export function push(ref: string) {
  return {
    ref,
    after: 'abcdef0',
    repository: { full_name: 'acme/site' },
    sender: { login: 'octocat' },
  }
}

/** A port free on loopback right now (the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}
