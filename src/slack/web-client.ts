// Web API clients for the Slack door, and the SDK logger that routes the SDKs' logs into ours
// (whose lines mask every secret value, so no token reaches a log line even from SDK debug output).
import { LogLevel, type Logger as SdkLogger, WebClient } from '@slack/web-api'
import type { Environment } from '../config/env.ts'
import type { Logger } from '../util/log.ts'

export interface WebClientOptions {
  /**
   * `fast`: no SDK retries and 429s rejected at once, for the outbox (which owns retries, honours
   * Retry-After and survives restarts) and for lookups inside an envelope's 3-second window.
   * `patient`: the SDK's own retries, for startup and channel joins, where waiting is fine.
   */
  mode: 'fast' | 'patient'
}

/** Long enough for a file upload, short enough that a hung connection cannot stall the outbox. */
const REQUEST_TIMEOUT_MS = 20_000

export function createWebClient(
  token: string,
  env: Environment,
  log: Logger,
  opts: WebClientOptions,
): WebClient {
  const fast = opts.mode === 'fast'
  return new WebClient(token, {
    ...(env.slack.apiUrl ? { slackApiUrl: env.slack.apiUrl } : {}),
    logger: sdkLogger(log, env.logLevel),
    timeout: REQUEST_TIMEOUT_MS,
    ...(fast ? { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true } : {}),
  })
}

/** The SDKs' logger interface over ours: their chatter is debug, their warnings and errors stay. */
export function sdkLogger(log: Logger, level: Environment['logLevel']): SdkLogger {
  const one = (m: unknown) => {
    if (typeof m === 'string') return m
    if (m instanceof Error) return m.message
    try {
      return JSON.stringify(m)
    } catch {
      return String(m) // a circular object must not turn a log call into a failure
    }
  }
  const text = (msg: unknown[]) => msg.map(one).join(' ').slice(0, 500)
  // The SDKs log every request and frame at debug; the line is built only when it is written.
  const debug = (msg: unknown[]) => {
    if (log.enabled('debug')) log.debug('slack.sdk', { msg: text(msg) })
  }
  return {
    debug: (...msg) => debug(msg),
    info: (...msg) => debug(msg),
    warn: (...msg) => log.warn('slack.sdk', { msg: text(msg) }),
    error: (...msg) => log.error('slack.sdk', { msg: text(msg) }),
    // The socket client asks for the level to decide on verbose payload logging; ours decides.
    getLevel: () =>
      level === 'debug'
        ? LogLevel.DEBUG
        : level === 'info'
          ? LogLevel.INFO
          : level === 'warn'
            ? LogLevel.WARN
            : LogLevel.ERROR,
    setLevel() {},
    setName() {},
  }
}
