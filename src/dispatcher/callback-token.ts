// Callback tokens (pure): an HMAC binding one run number and an expiry, so a job's URL can post
// only into its own run's thread, and only for a while. Compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** `<expiry, epoch seconds>.<base64url HMAC-SHA256>`; the run number travels in the URL path. */
const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/

export type TokenCheck =
  | { ok: true; expiresAt: number }
  | { ok: false; status: 400 | 403; problem: 'malformed' | 'bad_signature' | 'expired' }

// The purpose prefix keeps these MACs from ever being valid for anything else signed with the key.
const mac = (key: string, runId: number, expiresAt: number) =>
  createHmac('sha256', key).update(`ebmbot-callback:v1:${runId}:${expiresAt}`).digest()

/** A token for `runId` valid until `expiresAtMs` (rounded down to the second). */
export function signCallbackToken(key: string, runId: number, expiresAtMs: number): string {
  const exp = Math.floor(expiresAtMs / 1000)
  return `${exp}.${mac(key, runId, exp).toString('base64url')}`
}

/** Checks a token against the run number it was presented for (from the URL path). */
export function verifyCallbackToken(
  key: string,
  runId: number,
  token: string | undefined,
  nowMs: number,
): TokenCheck {
  const m = token ? TOKEN.exec(token) : null
  if (!m) return { ok: false, status: 400, problem: 'malformed' }
  const exp = Number(m[1])
  const given = Buffer.from(m[2]!, 'base64url')
  // Base64 leaves two spare bits in the last character: insist on the one canonical spelling, so
  // every altered character is a refusal rather than an alias of the same MAC.
  const canonical = given.length === 32 && given.toString('base64url') === m[2]
  // Another run's token fails here too: the run number is inside the MAC, not beside it.
  if (!canonical || !timingSafeEqual(given, mac(key, runId, exp)))
    return { ok: false, status: 403, problem: 'bad_signature' }
  if (exp * 1000 <= nowMs) return { ok: false, status: 403, problem: 'expired' }
  return { ok: true, expiresAt: exp * 1000 }
}

/** A callback URL lives an hour after the run starts, or for the job's timeout if that is longer. */
export const callbackExpiry = (startedAtMs: number, timeoutSeconds: number) =>
  startedAtMs + Math.max(3600, timeoutSeconds) * 1000
