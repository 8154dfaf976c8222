// Sign in with Slack, faked: the authorize page (as a person already signed in to Slack who
// presses Allow), and the openid.connect.token / openid.connect.userInfo Web API methods, with
// Slack's rules: the app's client id and secret, single-use codes bound to their redirect URI.
import { randomUUID } from 'node:crypto'
import type { OpenIDConnectTokenResponse, OpenIDConnectUserInfoResponse } from '@slack/web-api'

type Args = Record<string, unknown>

export class FakeOidc {
  clientId = 'fake-client-id'
  clientSecret = 'fake-client-secret'
  /** who is signed in to Slack in the browser (undefined: nobody, the page refuses) */
  signedIn?: { user: string; team?: string }
  private readonly codes = new Map<string, { user: string; team?: string; redirect: string }>()
  private readonly tokens = new Map<string, { user: string; team?: string }>()

  constructor(private readonly teamId: string) {}

  /** GET /openid/connect/authorize: back to the app with a code, as after "Allow". */
  authorize(url: URL): Response {
    const q = url.searchParams
    const redirect = q.get('redirect_uri') ?? ''
    if (q.get('client_id') !== this.clientId)
      return new Response('invalid client_id', { status: 400 })
    if (q.get('response_type') !== 'code' || !(q.get('scope') ?? '').split(' ').includes('openid'))
      return new Response('invalid request', { status: 400 })
    if (!/^https?:\/\//.test(redirect)) return new Response('bad redirect_uri', { status: 400 })
    if (!this.signedIn) return new Response('sign in to Slack first', { status: 403 })
    const code = randomUUID()
    this.codes.set(code, { ...this.signedIn, redirect })
    const back = new URL(redirect)
    back.searchParams.set('code', code)
    back.searchParams.set('state', q.get('state') ?? '')
    return Response.redirect(back.href, 302)
  }

  /** The OpenID methods' answers, or undefined for any other method. */
  answer(method: string, args: Args, token: string | undefined): object | undefined {
    if (method === 'openid.connect.token') return this.token(args)
    if (method !== 'openid.connect.userInfo') return undefined
    const who = token ? this.tokens.get(token) : undefined
    if (!who) return { ok: false, error: 'invalid_auth' }
    return {
      ok: true,
      sub: who.user,
      'https://slack.com/user_id': who.user,
      'https://slack.com/team_id': who.team ?? this.teamId,
      name: who.user.toLowerCase(),
    } satisfies OpenIDConnectUserInfoResponse
  }

  private token(args: Args): object {
    if (args.client_id !== this.clientId || args.client_secret !== this.clientSecret)
      return { ok: false, error: 'invalid_client_id' }
    const code = this.codes.get(String(args.code))
    this.codes.delete(String(args.code)) // a code works once
    if (!code) return { ok: false, error: 'invalid_code' }
    if (code.redirect !== args.redirect_uri) return { ok: false, error: 'bad_redirect_uri' }
    const access = `xoxp-oidc-${randomUUID()}`
    this.tokens.set(access, code)
    return {
      ok: true,
      access_token: access,
      token_type: 'Bearer',
      id_token: 'not-checked-by-the-bot',
    } satisfies OpenIDConnectTokenResponse
  }
}
