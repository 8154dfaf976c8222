// The guards in front of the pages: nothing but the sign-in page, the stylesheet and the script
// without a valid session; every POST must come from the pages' own origin (the Origin header
// browsers send with forms) and, once signed in, carry the session's CSRF token.
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { csrfMatches, csrfToken, readSession, SESSION_COOKIE } from './session.ts'
import { takeFlash } from './cookies.ts'
import { viewerOf, type People } from './viewer.ts'
import type { PagesEnv } from './web-env.ts'
import type { WebSetup } from './web-setup.ts'

/** The origin forms must come from: the public address, else the one the request was sent to. */
export const expectedOrigin = (c: Context, setup: WebSetup) =>
  setup.publicUrl?.origin ?? new URL(c.req.url).origin

export function sameOrigin(setup: WebSetup): MiddlewareHandler {
  return async function sameOrigin(c, next) {
    if (c.req.method !== 'POST') return next()
    const origin = c.req.header('origin')
    if (!origin || origin !== expectedOrigin(c, setup))
      return c.text('Refused: this form was not sent from the ebmbot pages.', 403)
    return next()
  }
}

export function signedIn(
  setup: WebSetup,
  people: People,
  now: () => number,
): MiddlewareHandler<PagesEnv> {
  return async function signedIn(c, next) {
    const session = readSession(setup.cookieKey, getCookie(c, SESSION_COOKIE), now())
    if (!session) {
      if (c.req.method === 'GET' && c.req.header('accept')?.includes('text/html'))
        // Mounted at /web, the app sees paths without it.
        return c.redirect(
          `/web/sign-in?next=${encodeURIComponent(`/web${c.req.path}${new URL(c.req.url).search}`)}`,
          303,
        )
      return c.text('Sign in first.', 401)
    }
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody()
      if (!csrfMatches(setup.cookieKey, session, body.csrf))
        return c.text('Refused: the form is stale or not from this session; reload the page.', 403)
    }
    c.set('session', session)
    c.set('viewer', await viewerOf(session, people))
    c.set('shell', {
      user: session.trusted ? 'operator' : session.user,
      csrf: csrfToken(setup.cookieKey, session),
      flash: c.req.method === 'GET' ? takeFlash(c, setup) : [],
    })
    return next()
  }
}
