// Every string inside a plain value (parsed JSON, a stored message) passed through one function;
// keys and structure stay as they are.

export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // defineProperty, not assignment: a parsed `__proto__` key stays a key, never a prototype.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: mapStrings(v, fn),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out as T
  }
  return value
}
