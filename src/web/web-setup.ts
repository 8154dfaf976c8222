// What the run pages need from the config's `web` section and the environment, checked once at
// start: a cookie key too short to be safe, or Slack sign-in without its client secret, stops the
// start with the variable to set.
import { randomBytes } from 'node:crypto'
import type { AppContext } from '../app/context.ts'
import { ConfigError } from '../config/errors.ts'
import type { WebConfig } from '../config/web-schema.ts'

export interface WebSetup {
  config: WebConfig
  /** the address people open (public_url), when configured */
  publicUrl?: URL
  token?: string
  cookieKey: string
  /** the key was made at this start: sessions end at the next */
  ephemeralKey: boolean
  sessionMs: number
  /** Sign in with Slack, when the app's client id and secret are set */
  oidc?: { clientId: string; clientSecret: string; apiUrl: string }
}

const MIN_KEY = 32

export function webSetup(ctx: Pick<AppContext, 'config' | 'env'>): WebSetup | undefined {
  const config = ctx.config.web
  if (!config?.enabled) return undefined
  const vars = ctx.env.vars
  const key = vars[config.cookie_secret_env]
  if (key !== undefined && key.length < MIN_KEY)
    throw new ConfigError('environment', [
      {
        path: config.cookie_secret_env,
        message: `the cookie key must be at least ${MIN_KEY} characters (e.g. openssl rand -base64 32)`,
      },
    ])
  const clientId = vars[config.slack_client_id_env]
  const clientSecret = vars[config.slack_client_secret_env]
  if (clientId && !clientSecret)
    throw new ConfigError('environment', [
      {
        path: config.slack_client_secret_env,
        message: `${config.slack_client_id_env} is set: Sign in with Slack also needs the app's Client Secret here`,
      },
    ])
  const token = vars[config.token_env] || undefined
  if (token && token.length < 16)
    throw new ConfigError('environment', [
      { path: config.token_env, message: 'the sign-in token must be at least 16 characters' },
    ])
  return {
    config,
    publicUrl: config.public_url ? new URL(config.public_url) : undefined,
    token,
    cookieKey: key ?? randomBytes(32).toString('base64url'),
    ephemeralKey: key === undefined,
    sessionMs: config.session * 1000,
    oidc:
      clientId && clientSecret && ctx.env.slack.botToken
        ? { clientId, clientSecret, apiUrl: ctx.env.slack.apiUrl ?? 'https://slack.com/api/' }
        : undefined,
  }
}
