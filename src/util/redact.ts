// The one masker: secret values (the bot's tokens, every job's `secret: true` variables, the
// projects' webhook secrets, the Metaflow auth key) replaced by `[redacted]` in anything shown
// or stored: log lines, replies, reports, outbox rows, `logs N`.

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
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redact(value, secrets) as T
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, redact(k, secrets), {
        value: redactDeep(v, secrets),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out as T
  }
  return value
}

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
