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
  for (const s of forms(secrets)) out = out.split(s).join('[redacted]')
  return out
}

/** Every string inside a parsed value (Block Kit a job printed, say) masked: after parsing, a `\u`-escaped secret is plain. */
export const redactDeep = <T>(value: T, secrets: readonly string[]): T =>
  mapStrings(value, (s) => redact(s, secrets))

/** The forms of each list of secrets, worked out once per list (a log line masks every field). */
const known = new WeakMap<readonly string[], { of: string[]; forms: string[] }>()

function forms(secrets: readonly string[]): string[] {
  const seen = known.get(secrets)
  // Checked against the list as it was, so a list changed in place is never masked by stale forms.
  if (seen && seen.of.length === secrets.length && seen.of.every((s, i) => s === secrets[i]))
    return seen.forms
  const all = new Set<string>()
  for (const s of secrets) {
    // Very short values would mask ordinary words.
    if (s.length < 4) continue
    all.add(s)
    all.add(JSON.stringify(s).slice(1, -1))
    all.add(encodeURIComponent(s))
  }
  const out = [...all].sort((a, b) => b.length - a.length)
  known.set(secrets, { of: [...secrets], forms: out })
  return out
}
