// Every secret value this bot knows, for the one masker: the bot's tokens, the Metaflow auth key,
// each GitHub project's webhook secret, the web page's token and keys, and every job's
// `secret: true` variables.
import { secretValues, type Environment } from './env.ts'
import type { Config } from './types.ts'

export function allSecrets(config: Config, env: Environment): string[] {
  const names = [
    ...(config.metaflow ? [config.metaflow.authKeyEnv] : []),
    ...Object.values(config.github?.projects ?? {}).flatMap((p) =>
      p.secretEnv ? [p.secretEnv] : [],
    ),
    ...(config.web
      ? [config.web.token_env, config.web.cookie_secret_env, config.web.slack_client_secret_env]
      : []),
    ...Object.values(config.namespaces).flatMap((ns) =>
      Object.values(ns.jobs).flatMap((j) => j.env.filter((v) => v.secret).map((v) => v.name)),
    ),
  ]
  return [...new Set(secretValues(env, names))]
}
