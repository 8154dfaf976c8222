// A job's environment: PATH, HOME (the jobs folder, never the bot's state folder) and LANG, its
// allowlisted variables, and (opted in) its callback URL. The bot's own tokens are never inherited.
import type { Job } from '../config/types.ts'

export function jobEnvironment(
  job: Job,
  host: Readonly<Record<string, string | undefined>>,
  extra: Record<string, string> = {},
  home = '/',
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: host.PATH || '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: host.LANG || 'C.UTF-8',
  }
  for (const v of job.env) {
    const value = v.value ?? host[v.name]
    if (value !== undefined) env[v.name] = value
  }
  return { ...env, ...extra }
}
