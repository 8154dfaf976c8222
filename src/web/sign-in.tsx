/** @jsxImportSource hono/jsx */
// Signing in and out: with the static token (a form), or with Slack (OpenID Connect, see
// slack-oidc.ts). Either way the result is one signed session cookie.
import { randomBytes } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { AppContext } from '../app/context.ts'
import { dropCookie, putCookie, takeCookie } from './cookies.ts'
import { expectedOrigin } from './guard.ts'
import { Layout } from './layout.tsx'
import { newSession, SESSION_COOKIE, tokenMatches, type Session } from './session.ts'
import type { SlackSignIn } from './slack-oidc.ts'
import type { WebSetup } from './web-setup.ts'

const OIDC_COOKIE = 'ebmbot_oidc'

/** Only a path of these pages: a `next` pointing elsewhere would make sign-in an open redirect. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/web\/[\w\-/?=&%.]*$/.test(next) && !next.includes('//')
    ? next
    : '/web/'

export function signInRoutes(ctx: AppContext, setup: WebSetup, slack?: SlackSignIn) {
  const app = new Hono()
  const begin = (c: Context, s: Session, next: string) => {
    putCookie(c, setup, SESSION_COOKIE, s, setup.sessionMs / 1000)
    ctx.log.info('web.signed_in', { user: s.user, via: s.via })
    return c.redirect(next, 303)
  }
  const page = (c: Context, error?: string, status: 200 | 401 | 403 = 200) =>
    c.html(
      <Layout title="Sign in">
        {error ? <p class="flash">{error}</p> : null}
        {slack ? (
          <p>
            <a
              href={`/web/sign-in/slack?next=${encodeURIComponent(safeNext(c.req.query('next')))}`}
            >
              <button type="button" class="primary">
                Sign in with Slack
              </button>
            </a>
          </p>
        ) : null}
        {setup.token ? (
          <form method="post" action="/web/sign-in">
            <input type="hidden" name="next" value={safeNext(c.req.query('next'))} />
            <label>
              Token <input type="password" name="token" autocomplete="current-password" />
            </label>{' '}
            <button type="submit">Sign in</button>
          </form>
        ) : null}
        {!slack && !setup.token ? (
          <p>
            No way to sign in is set up: set {setup.config.token_env}, or the Slack app's client id
            and secret.
          </p>
        ) : null}
      </Layout>,
      status,
    )

  app.get('/sign-in', (c) => page(c))

  app.post('/sign-in', async (c) => {
    const body = await c.req.parseBody()
    if (!setup.token || !tokenMatches(setup.token, body.token)) {
      ctx.log.warn('web.sign_in_refused', { via: 'token' })
      return page(c, 'That token is not right.', 401)
    }
    const user = setup.config.token_user
    return begin(
      c,
      newSession(user ?? 'operator', 'token', !user, ctx.now(), setup.sessionMs),
      safeNext(body.next),
    )
  })

  const callbackUrl = (c: Context) => `${expectedOrigin(c, setup)}/web/sign-in/slack/callback`

  app.get('/sign-in/slack', (c) => {
    if (!slack) return c.text('Sign in with Slack is not set up.', 404)
    const state = randomBytes(18).toString('base64url')
    const nonce = randomBytes(18).toString('base64url')
    putCookie(c, setup, OIDC_COOKIE, { state, next: safeNext(c.req.query('next')) }, 600)
    return c.redirect(slack.authorizeUrl(state, nonce, callbackUrl(c)), 303)
  })

  app.get('/sign-in/slack/callback', async (c) => {
    if (!slack) return c.text('Sign in with Slack is not set up.', 404)
    const saved = takeCookie(c, setup, OIDC_COOKIE) as { state?: string; next?: string } | undefined
    dropCookie(c, setup, OIDC_COOKIE)
    const code = c.req.query('code')
    // The state ties the answer to a sign-in this browser started (no login CSRF).
    if (!saved?.state || saved.state !== c.req.query('state') || !code)
      return page(c, 'That sign-in was not started here, or took too long; try again.', 403)
    try {
      const who = await slack.userOf(code, callbackUrl(c))
      if ('refused' in who) {
        ctx.log.warn('web.sign_in_refused', { via: 'slack', reason: who.refused })
        return page(c, `Slack sign-in refused: ${who.refused}.`, 403)
      }
      return begin(
        c,
        newSession(who.user, 'slack', false, ctx.now(), setup.sessionMs),
        safeNext(saved.next),
      )
    } catch (e) {
      ctx.log.warn('web.sign_in_failed', { via: 'slack', error: String(e) })
      return page(c, 'Slack did not accept that sign-in; try again.', 403)
    }
  })

  app.post('/sign-out', (c) => {
    dropCookie(c, setup, SESSION_COOKIE)
    return c.redirect('/web/sign-in', 303)
  })
  return app
}
