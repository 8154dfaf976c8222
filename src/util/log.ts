// Structured logs: one logfmt line per event on stderr, which journald keeps as is (with a
// `<N>` syslog priority prefix when stderr is the journal). Secret values are masked in every
// line, whatever a caller passes.
import { redact } from './redact.ts'

export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
/** syslog priorities, which journald reads from a line's `<N>` prefix: `journalctl -p err` works */
export const PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 }

export type Fields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  debug(event: string, fields?: Fields): void
  info(event: string, fields?: Fields): void
  warn(event: string, fields?: Fields): void
  error(event: string, fields?: Fields): void
  child(fields: Fields): Logger
  /** whether a line at this level is written at all (so callers can skip building it) */
  enabled?(level: Level): boolean
}

const value = (v: unknown) => {
  const s = String(v)
  return /^[\w.:/@+-]*$/.test(s) && s !== '' ? s : JSON.stringify(s)
}

export function createLogger(
  opts: {
    level?: Level
    secrets?: readonly string[]
    write?: (line: string) => void
    base?: Fields
    /** stderr is the journal: start each line with its priority */
    journal?: boolean
  } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info']
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const secrets = opts.secrets ?? []
  const emit = (level: Level, event: string, fields: Fields = {}) => {
    if (ORDER[level] < min) return
    const all = { level, event, ...opts.base, ...fields }
    const line = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      // Each value is masked before it is quoted, and the whole line after.
      .map(([k, v]) => `${k}=${value(typeof v === 'string' ? redact(v, secrets) : v)}`)
      .join(' ')
    write((opts.journal ? `<${PRIORITY[level]}>` : '') + redact(line, secrets))
  }
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (base) => createLogger({ ...opts, base: { ...opts.base, ...base } }),
    enabled: (level) => ORDER[level] >= min,
  }
}

/** An error's message without its stack: stack traces stay out of chat and out of one-line logs. */
export const errorText = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300)

/**
 * A logger that masks these secrets too, before the lines reach the one underneath: the process
 * logger exists before the config is read, and the config names most secrets (jobs' variables,
 * projects' webhook secrets).
 */
export function maskingLogger(inner: Logger, secrets: readonly string[]): Logger {
  const mask = (f?: Fields): Fields | undefined =>
    f &&
    Object.fromEntries(
      Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? redact(v, secrets) : v]),
    )
  // A line below the level is never written, so it is not masked either: a debug line per Slack
  // event cost more than the event's own handling.
  const on = (level: Level) => inner.enabled?.(level) ?? true
  return {
    debug: (e, f) => on('debug') && inner.debug(e, mask(f)),
    info: (e, f) => on('info') && inner.info(e, mask(f)),
    warn: (e, f) => on('warn') && inner.warn(e, mask(f)),
    error: (e, f) => on('error') && inner.error(e, mask(f)),
    child: (base) => maskingLogger(inner.child(mask(base) ?? {}), secrets),
    enabled: on,
  }
}
