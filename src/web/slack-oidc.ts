// Sign in with Slack (OpenID Connect, authorization code flow): the browser goes to Slack's
// authorize page with a random state; Slack sends it back with a code; the server trades the
// code for a token with the app's client secret (openid.connect.token) and asks Slack who that
// token belongs to (openid.connect.userInfo). The user id comes from Slack over the server's own
// TLS connection, never from the browser; a person of another workspace is refused.
import { WebClient } from '@slack/web-api'

export interface SlackSignIn {
  /** where to send the browser; Slack returns it to `redirectUri` with `state` */
  authorizeUrl(state: string, nonce: string, redirectUri: string): string
  /** the Slack user the code belongs to, if of this bot's workspace */
  userOf(code: string, redirectUri: string): Promise<{ user: string } | { refused: string }>
}

export interface OidcOptions {
  clientId: string
  clientSecret: string
  /** the Web API base (`https://slack.com/api/`); the authorize page is beside it */
  apiUrl: string
  botToken: string
}

export function slackSignIn(o: OidcOptions): SlackSignIn {
  const base = { slackApiUrl: o.apiUrl, retryConfig: { retries: 0 }, timeout: 10_000 }
  const bot = new WebClient(o.botToken, base)
  let team: Promise<string | undefined> | undefined
  const ourTeam = () => {
    team ??= bot.auth.test().then((r) => r.team_id)
    team.catch(() => (team = undefined)) // asked again next time
    return team
  }
  return {
    authorizeUrl(state, nonce, redirectUri) {
      const url = new URL('../openid/connect/authorize', o.apiUrl)
      url.search = new URLSearchParams({
        response_type: 'code',
        scope: 'openid profile',
        client_id: o.clientId,
        redirect_uri: redirectUri,
        state,
        nonce,
      }).toString()
      return url.href
    },
    async userOf(code, redirectUri) {
      const anon = new WebClient(undefined, base)
      const tok = await anon.openid.connect.token({
        client_id: o.clientId,
        client_secret: o.clientSecret,
        code,
        redirect_uri: redirectUri,
      })
      if (!tok.access_token) return { refused: 'Slack gave no token for this sign-in' }
      const info = await new WebClient(tok.access_token, base).openid.connect.userInfo()
      const user = info['https://slack.com/user_id']
      const theirs = info['https://slack.com/team_id']
      if (!user) return { refused: 'Slack did not say who you are' }
      const ours = await ourTeam()
      if (!ours || theirs !== ours)
        return { refused: 'that Slack account is not in the workspace this bot serves' }
      return { user }
    },
  }
}
