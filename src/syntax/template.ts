// Job command templates: `[param]` placeholders replaced by single-quoted values, so chat text
// reaches bash as data and never as code. `\[word]` is a literal `[word]` (bash arrays:
// `${files\[i]}`): the backslash is dropped and nothing is substituted.

/** A placeholder, or (with the backslash) an escaped literal. */
const PLACEHOLDER = /(\\?)\[([A-Za-z0-9_]+)\]/g

/** One single-quoted bash word: `'` closes, `\'` is a literal quote, `'` reopens. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].filter((m) => !m[1]).map((m) => m[2]!))]
}

export function renderCommand(template: string, params: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, escaped: string, name: string) =>
    escaped ? `[${name}]` : Object.hasOwn(params, name) ? shellQuote(params[name]!) : whole,
  )
}

/**
 * Placeholders written inside quotes (`echo "[name]"`) would put our quotes inside theirs and
 * print them literally (or, in single quotes, never substitute at all). Returns the names so the
 * loader can refuse the template with a fix ("write [name] bare; it is quoted for you").
 */
export function quotedPlaceholders(template: string): string[] {
  const found: string[] = []
  let quote: '"' | "'" | null = null
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    if (c === '\\' && quote !== "'") {
      i++
      continue
    }
    if (quote === null && (c === '"' || c === "'")) quote = c
    else if (c === quote) quote = null
    else if (quote && c === '[' && template[i - 1] !== '\\') {
      const m = /^\[([A-Za-z0-9_]+)\]/.exec(template.slice(i))
      if (m) found.push(m[1]!)
    }
  }
  return [...new Set(found)]
}
