// GitHub delivery signatures (pure: secret, raw bytes, headers in; a verdict out). SHA-256 via
// @octokit/webhooks-methods; the legacy SHA-1 header only when the project explicitly allows it.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { verify } from '@octokit/webhooks-methods'

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

export async function verifySignature({
  secret,
  body,
  headers,
  allowSha1 = false,
}: SignatureInput): Promise<SignatureCheck> {
  if (!secret) return { ok: false, problem: 'no_secret' }
  const sha256 = headers.get('x-hub-signature-256')
  // A present but wrong SHA-256 never falls back to SHA-1: that would let a forger downgrade.
  if (sha256 !== null) {
    const m = SHA256.exec(sha256.trim())
    if (!m) return { ok: false, problem: 'malformed' }
    // octokit signs a string; GitHub's bodies are UTF-8 JSON, so decoding strictly and signing the
    // text is the same HMAC as over the raw bytes. Bytes that are not UTF-8 cannot be GitHub's.
    const text = utf8(body)
    if (!text) return { ok: false, problem: 'mismatch' }
    return (await verify(secret, text, `sha256=${m[1]!.toLowerCase()}`))
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
export function utf8(body: Uint8Array): string | null {
  if (!body.length) return null
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body)
  } catch {
    return null
  }
}
