// Outgoing messages hold only well-formed text: a lone surrogate (from a job's output, a payload,
// an echo of chat text) cannot be encoded for Slack's API, and a row that can never be sent would
// be retried forever.

export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T
  if (Array.isArray(value)) return value.map(wellFormed) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // defineProperty, not assignment: a parsed `__proto__` key stays a key, never a prototype.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: wellFormed(v), enumerable: true, writable: true })
    return out as T
  }
  return value
}
