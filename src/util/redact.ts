// The one masker: secret values (the bot's tokens, every job's `secret: true` variables, the
// projects' webhook secrets, the Metaflow auth key) replaced by `[redacted]` in anything shown
// or stored: log lines, replies, reports, outbox rows, `logs N`.
import { mapStrings } from './map-strings.ts'

/**
 * Each secret is masked as written, and in the escaped forms it takes inside JSON or a URL, so
 * a secret with a quote, a backslash or a non-ASCII character is caught in a log field or a
 * URL as well.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  // Longest first, so a secret containing another is masked whole.
  for (const s of formsOf(secrets)) if (out.includes(s)) out = out.split(s).join('[redacted]')
  return out
}

/**
 * The forms of one list of secrets, worked out once: the same list (the bot's, fixed at start-up)
 * masks every log field, reply and outbox row, and escaping and sorting it each time cost more
 * than the masking itself.
 */
const cache = new WeakMap<readonly string[], string[]>()
function formsOf(secrets: readonly string[]): string[] {
  let out = cache.get(secrets)
  if (!out) cache.set(secrets, (out = forms(secrets)))
  return out
}

/** Every string inside a parsed value (Block Kit a job printed, say) masked: after parsing, a `\u`-escaped secret is plain. */
export const redactDeep = <T>(value: T, secrets: readonly string[]): T =>
  mapStrings(value, (s) => redact(s, secrets))

function forms(secrets: readonly string[]): string[] {
  const all = new Set<string>()
  for (const s of secrets) {
    // Very short values would mask ordinary words.
    if (s.length < 4) continue
    all.add(s)
    all.add(JSON.stringify(s).slice(1, -1))
    all.add(encodeURIComponent(s))
  }
  return [...all].sort((a, b) => b.length - a.length)
}
