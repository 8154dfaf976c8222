// The `web` section of the config: the run pages served beside the webhooks, who may sign in
// (with Slack, or with a static token), and the names of the variables holding the secrets. The
// secrets themselves live in the environment, never in the file.
import { z } from 'zod'
import { duration, ENV_NAME } from './schema-parts.ts'

const envName = (what: string, def: string) =>
  z
    .string()
    .regex(ENV_NAME, 'environment variable names are letters, digits and underscores')
    .default(def)
    .describe(`the environment variable holding ${what}`)

export const webSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('serve the run pages under /web/'),
  public_url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'the address people open, e.g. https://bot.example.org (behind a reverse proxy): Slack sign-in returns there, POSTs must come from it, and https makes the cookies Secure; default the address the server listens on',
    ),
  token_env: envName(
    'the static sign-in token (for small teams and local use; unset: no token sign-in)',
    'EBMBOT_WEB_TOKEN',
  ),
  token_user: z
    .string()
    .regex(/^[UW][A-Z0-9]+$/, 'a Slack user id (U...)')
    .optional()
    .describe(
      'the Slack user the token signs in as, checked by the same access rules; absent, the token holder is the host operator, trusted like local chat',
    ),
  cookie_secret_env: envName(
    'the key that signs session cookies (32+ characters; unset: a new key at each start, which signs everyone out)',
    'EBMBOT_WEB_COOKIE_SECRET',
  ),
  slack_client_id_env: envName(
    'the Slack app Client ID, for Sign in with Slack',
    'SLACK_CLIENT_ID',
  ),
  slack_client_secret_env: envName(
    'the Slack app Client Secret, for Sign in with Slack',
    'SLACK_CLIENT_SECRET',
  ),
  session: duration()
    .default(12 * 3600)
    .describe('how long a sign-in lasts'),
})

export type WebConfig = z.output<typeof webSchema>
