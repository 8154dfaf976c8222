// GitHub delivery signatures (pure: secret, raw bytes, headers in; a verdict out). HMAC-SHA256
// of the raw body compared in constant time; the legacy SHA-1 header only when the project
// explicitly allows it. node:crypto's HMAC is synchronous: WebCrypto (what
// @octokit/webhooks-methods uses) imports the key and hops to a worker thread on every delivery.
import { createHmac, timingSafeEqual } from 'node:crypto'

type SignatureProblem = 'no_secret' | 'missing' | 'malformed' | 'mismatch'
export type SignatureCheck =
  | { ok: true; algorithm: 'sha256' | 'sha1' }
  | { ok: false; problem: SignatureProblem }

export interface SignatureInput {
  secret: string | undefined
  /** the raw body exactly as received: GitHub signs these bytes, not a re-serialised object */
  body: Uint8Array
  headers: Headers
  allowSha1?: boolean
}

const SHA256 = /^sha256=([0-9a-f]{64})$/i
const SHA1 = /^sha1=([0-9a-f]{40})$/i

export function verifySignature({
  secret,
  body,
  headers,
  allowSha1 = false,
}: SignatureInput): SignatureCheck {
  if (!secret) return { ok: false, problem: 'no_secret' }
  const sha256 = headers.get('x-hub-signature-256')
  // A present but wrong SHA-256 never falls back to SHA-1: that would let a forger downgrade.
  if (sha256 !== null) {
    const m = SHA256.exec(sha256.trim())
    if (!m) return { ok: false, problem: 'malformed' }
    // GitHub's bodies are UTF-8 JSON: bytes that are not UTF-8 (or none at all) cannot be its.
    if (utf8(body) === null) return { ok: false, problem: 'mismatch' }
    const expected = createHmac('sha256', secret).update(body).digest()
    return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'))
      ? { ok: true, algorithm: 'sha256' }
      : { ok: false, problem: 'mismatch' }
  }
  const sha1 = headers.get('x-hub-signature')
  if (sha1 === null || !allowSha1) return { ok: false, problem: 'missing' }
  const m = SHA1.exec(sha1.trim())
  if (!m) return { ok: false, problem: 'malformed' }
  const expected = createHmac('sha1', secret).update(body).digest()
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'))
    ? { ok: true, algorithm: 'sha1' }
    : { ok: false, problem: 'mismatch' }
}

/** Strict UTF-8, or null (also for an empty body, which octokit refuses to verify). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8(body: Uint8Array): string | null {
  if (!body.length) return null
  try {
    return STRICT_UTF8.decode(body)
  } catch {
    return null
  }
}
