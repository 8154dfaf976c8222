// Structured logs: one logfmt line per event on stderr, which journald keeps as is (with a
// `<N>` syslog priority prefix when stderr is the journal). Secret values are masked in every
// line, whatever a caller passes.
import { redact } from './redact.ts'

export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
/** syslog priorities, which journald reads from a line's `<N>` prefix: `journalctl -p err` works */
export const PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 }

type Fields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  debug(event: string, fields?: Fields): void
  info(event: string, fields?: Fields): void
  warn(event: string, fields?: Fields): void
  error(event: string, fields?: Fields): void
  child(fields: Fields): Logger
  /** whether a line at this level is written at all (so a caller can skip building it) */
  enabled(level: Level): boolean
}

const PLAIN = /^[\w.:/@+-]+$/

/** A value as logfmt writes it: bare when it is one plain word, else JSON-quoted. */
function value(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return String(v)
  return PLAIN.test(v) ? v : JSON.stringify(v)
}

interface LoggerOptions {
  level?: Level
  secrets?: readonly string[]
  /** where finished lines go (default: stderr, a turn's lines at a time); `level` is the line's */
  write?: (line: string, level: Level) => void
  base?: Fields
  /** stderr is the journal: start each line with its priority */
  journal?: boolean
}

/** The options a logger was made with, so one that masks more secrets can be made from it. */
const OPTIONS = Symbol('logger options')

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info']
  const write = opts.write ?? writeStderr
  const secrets = opts.secrets ?? []
  const emit = (level: Level, event: string, fields?: Fields) => {
    if (ORDER[level] < min) return
    // A child's fields come first; the line's own override them.
    const all = opts.base ? { ...opts.base, ...fields } : fields
    const line = `level=${level} event=${value(event)}${all ? fieldsText(all) : ''}`
    // Masked once, the whole line: every secret's quoted and URL-encoded forms are looked for
    // too, so a value that quoting escaped is caught as well.
    write((opts.journal ? `<${PRIORITY[level]}>` : '') + redact(line, secrets), level)
  }
  const logger: Logger & { [OPTIONS]: LoggerOptions } = {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (more) => createLogger({ ...opts, base: { ...opts.base, ...more } }),
    enabled: (level) => ORDER[level] >= min,
    [OPTIONS]: opts,
  }
  return logger
}

function fieldsText(fields: Fields): string {
  let out = ''
  for (const k in fields) {
    const v = fields[k]
    if (v !== undefined) out += ` ${k}=${value(v)}`
  }
  return out
}

// Lines to stderr are gathered and written once per turn of the event loop: a write is a system
// call, and a busy moment logs several lines a turn. Warnings and errors go out at once (with
// whatever waited before them), so a crash right after one still leaves it in the journal; the
// rest is written on exit too.
let pending = ''
let flushing = false

function writeStderr(line: string, level: Level): void {
  pending += `${line}\n`
  if (ORDER[level] >= ORDER.warn) flushStderr()
  else if (!flushing) {
    flushing = true
    setImmediate(flushStderr)
  }
}

/** Writes the lines waiting for the end of this turn now: a moment worth seeing as it happens. */
export function flushStderr(): void {
  flushing = false
  if (!pending) return
  const text = pending
  pending = ''
  process.stderr.write(text)
}

process.once('exit', flushStderr)

/** An error's message without its stack: stack traces stay out of chat and out of one-line logs. */
export const errorText = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300)

/**
 * A logger that masks these secrets too, before the lines reach the one underneath: the process
 * logger exists before the config is read, and the config names most secrets (jobs' variables,
 * projects' webhook secrets).
 */
export function maskingLogger(inner: Logger, secrets: readonly string[]): Logger {
  // One of ours: the same logger, masking both lists in one pass over each finished line.
  const opts = (inner as Partial<Record<typeof OPTIONS, LoggerOptions>>)[OPTIONS]
  if (opts) return createLogger({ ...opts, secrets: [...(opts.secrets ?? []), ...secrets] })
  const mask = (f?: Fields): Fields | undefined =>
    f &&
    Object.fromEntries(
      Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? redact(v, secrets) : v]),
    )
  // A line below the level is dropped unmasked: masking every field costs more than the line.
  return {
    debug: (e, f) => inner.enabled('debug') && inner.debug(e, mask(f)),
    info: (e, f) => inner.enabled('info') && inner.info(e, mask(f)),
    warn: (e, f) => inner.enabled('warn') && inner.warn(e, mask(f)),
    error: (e, f) => inner.enabled('error') && inner.error(e, mask(f)),
    child: (base) => maskingLogger(inner.child(mask(base) ?? {}), secrets),
    enabled: (level) => inner.enabled(level),
  }
}
