// Reads the process environment once (the only module that does), so everything else gets
// plain values and tests can pass their own.
import { fstatSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError, type ConfigIssue } from './errors.ts'
import { INSTANCE_TAG } from './schema-parts.ts'

export interface Environment {
  stateDir: string
  /** `postgres://…` selects PostgreSQL for the queue; unset, the SQLite file in stateDir */
  databaseUrl?: string
  configPath?: string
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** EBMBOT_LOG_LEVEL was given (local chat is quiet unless asked) */
  logLevelSet: boolean
  /** stderr is the journal stream systemd named in JOURNAL_STREAM: log lines carry `<3>`-style priorities */
  journal: boolean
  systemd: SystemdEnv
  slack: {
    appToken?: string
    botToken?: string
    /** a person's token (`xoxp-`) for search.messages only: turns on the missed-message sweep */
    userToken?: string
    signingSecret?: string
    appUsername?: string
    logsChannel?: string
    techSupportChannel?: string
    apiUrl?: string
    /** the socket client's pong timeout, which is also its reconnect delay (SDK default 5 s); tests lower it */
    clientPingTimeoutMs?: number
  }
  webhook: {
    host: string
    port: number
    origin?: string
    githubSecret?: string
    callbackSecret?: string
  }
  /** Metaflow's own variables, the fallback for the config's `metaflow` section */
  metaflow: {
    serviceUrl?: string
    defaultMetadata?: string
    serviceHeaders?: string
    serviceRetryCount?: string
    datastoreSysrootLocal?: string
  }
  /** EBMBOT_INSTANCE_TAGS: what this instance is (deploy-host, data…), for jobs' runs_on */
  instanceTags: string[]
  /** the whole environment, read only to fill a job's allowlisted variables */
  vars: Readonly<Record<string, string | undefined>>
}

/** What systemd passes a `Type=notify` service (all absent when not run by systemd). */
export interface SystemdEnv {
  notifySocket?: string
  /** WatchdogSec= in microseconds */
  watchdogUsec?: number
  watchdogPid?: number
}

/** Names whose values are the bot's own secrets: never in a job's env, masked in anything shown. */
export const SECRET_VARS = [
  'SLACK_APP_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_USER_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'EBMBOT_WEBHOOK_SECRET',
  'METAFLOW_SERVICE_AUTH_KEY',
  'DATABASE_URL',
]

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

/** Reads the environment; a value that cannot work (a port that is no port) is a ConfigError. */
export function readEnvironment(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Environment {
  const issues: ConfigIssue[] = []
  const level = env.EBMBOT_LOG_LEVEL?.toLowerCase() || undefined
  if (level && !LEVELS.includes(level as Environment['logLevel']))
    issues.push({
      path: 'EBMBOT_LOG_LEVEL',
      message: `unknown log level ${JSON.stringify(env.EBMBOT_LOG_LEVEL)}; use ${LEVELS.join(', ')}`,
    })
  const port = Number(env.WEBHOOK_PORT || 9000)
  if (!/^\d+$/.test(env.WEBHOOK_PORT || '9000') || port > 65535)
    issues.push({
      path: 'WEBHOOK_PORT',
      message: `${JSON.stringify(env.WEBHOOK_PORT)} is not a port; use a number from 1 to 65535 (0 picks a free one)`,
    })
  const instanceTags = (env.EBMBOT_INSTANCE_TAGS ?? '').split(/[\s,]+/).filter(Boolean)
  for (const t of instanceTags)
    if (!INSTANCE_TAG.test(t))
      issues.push({
        path: 'EBMBOT_INSTANCE_TAGS',
        message: `${JSON.stringify(t)} is not an instance tag; use lower-case letters, digits, dots, hyphens, underscores, separated by commas (deploy-host,data)`,
      })
  if (issues.length) throw new ConfigError('environment', issues)
  return {
    stateDir: resolve(
      cwd,
      env.EBMBOT_STATE_DIR || env.STATE_DIRECTORY?.split(':')[0] || join(cwd, 'state'),
    ),
    databaseUrl: env.DATABASE_URL || undefined,
    configPath: env.EBMBOT_CONFIG || undefined,
    logLevel: (level as Environment['logLevel'] | undefined) ?? 'info',
    logLevelSet: !!level,
    journal: !!env.JOURNAL_STREAM && env.JOURNAL_STREAM === stderrIdentity(),
    systemd: {
      notifySocket: env.NOTIFY_SOCKET || undefined,
      watchdogUsec: positiveInt(env.WATCHDOG_USEC),
      watchdogPid: positiveInt(env.WATCHDOG_PID),
    },
    slack: {
      appToken: env.SLACK_APP_TOKEN || undefined,
      botToken: env.SLACK_BOT_TOKEN || undefined,
      userToken: env.SLACK_BOT_USER_TOKEN || undefined,
      signingSecret: env.SLACK_SIGNING_SECRET || undefined,
      appUsername: env.SLACK_APP_USERNAME || undefined,
      logsChannel: env.SLACK_LOGS_CHANNEL || undefined,
      techSupportChannel: env.SLACK_TECH_SUPPORT_CHANNEL || undefined,
      apiUrl: env.SLACK_API_URL || undefined,
      clientPingTimeoutMs: positiveInt(env.SLACK_CLIENT_PING_TIMEOUT_MS),
    },
    webhook: {
      host: env.WEBHOOK_HOST || '127.0.0.1',
      port,
      origin: env.WEBHOOK_ORIGIN || undefined,
      githubSecret: env.GITHUB_WEBHOOK_SECRET || undefined,
      callbackSecret: env.EBMBOT_WEBHOOK_SECRET || undefined,
    },
    metaflow: {
      serviceUrl: env.METAFLOW_SERVICE_URL || undefined,
      defaultMetadata: env.METAFLOW_DEFAULT_METADATA || undefined,
      serviceHeaders: env.METAFLOW_SERVICE_HEADERS || undefined,
      serviceRetryCount: env.METAFLOW_SERVICE_RETRY_COUNT || undefined,
      datastoreSysrootLocal: env.METAFLOW_DATASTORE_SYSROOT_LOCAL || undefined,
    },
    instanceTags: [...new Set(instanceTags)],
    vars: { ...env },
  }
}

/**
 * `device:inode` of stderr, the form of JOURNAL_STREAM: systemd sets the variable for the
 * service, and a child whose stderr was redirected elsewhere inherits it, so only a match counts.
 */
function stderrIdentity(): string | undefined {
  try {
    const s = fstatSync(2)
    return `${s.dev}:${s.ino}`
  } catch {
    return undefined
  }
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v)
  return v && Number.isInteger(n) && n > 0 ? n : undefined
}

/** The values to mask wherever output is shown (empty and very short values would mask noise). */
export function secretValues(env: Environment, extraNames: string[] = []): string[] {
  return [...SECRET_VARS, ...extraNames]
    .map((n) => env.vars[n])
    .concat(passwordOf(env.databaseUrl))
    .filter((v): v is string => !!v && v.length >= 4)
}

/** The password inside a database URL, masked on its own too (an error may quote just it). */
function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    return undefined
  }
}
