// Sessions of the run pages: who signed in, how, and until when, carried in a cookie the server
// signs (HMAC-SHA256), so no session table is needed and a forged or edited cookie is refused.
// The CSRF token is derived from the session's own random id: a form from another session, or
// from another site, cannot carry the right one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export interface Session {
  /** the Slack user id, or `operator` for a token sign-in without token_user */
  user: string
  /** signed in with the static token as the host operator: allow lists do not apply */
  trusted: boolean
  via: 'token' | 'slack'
  /** epoch ms */
  expires: number
  /** random, per sign-in; binds the CSRF token */
  sid: string
}

export const SESSION_COOKIE = 'ebmbot_session'

const mac = (key: string, text: string) =>
  createHmac('sha256', key).update(text).digest('base64url')

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** `payload.signature`, both base64url. */
export function sign(key: string, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${body}.${mac(key, `v1.${body}`)}`
}

/** The value a signed string holds, or undefined for anything not signed with `key`. */
export function unsign(key: string, signed: string | undefined): unknown {
  const [body, sig, extra] = (signed ?? '').split('.')
  if (!body || !sig || extra !== undefined || !same(sig, mac(key, `v1.${body}`))) return undefined
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

export function newSession(
  user: string,
  via: Session['via'],
  trusted: boolean,
  now: number,
  lifeMs: number,
): Session {
  return { user, via, trusted, expires: now + lifeMs, sid: randomBytes(16).toString('base64url') }
}

/** The session a cookie holds, if it is signed, well formed and not expired. */
export function readSession(key: string, cookie: string | undefined, now: number) {
  const s = unsign(key, cookie) as Partial<Session> | undefined
  if (
    !s ||
    typeof s.user !== 'string' ||
    typeof s.sid !== 'string' ||
    typeof s.expires !== 'number' ||
    typeof s.trusted !== 'boolean' ||
    (s.via !== 'token' && s.via !== 'slack') ||
    s.expires <= now
  )
    return undefined
  return s as Session
}

export const csrfToken = (key: string, s: Session) => mac(key, `csrf.${s.sid}`)

export const csrfMatches = (key: string, s: Session, given: unknown) =>
  typeof given === 'string' && same(given, csrfToken(key, s))

/** A token compared in constant time (its length may show, its content never). */
export const tokenMatches = (expected: string, given: unknown) =>
  typeof given === 'string' &&
  same(
    createHmac('sha256', 'k').update(given).digest('hex'),
    createHmac('sha256', 'k').update(expected).digest('hex'),
  )
