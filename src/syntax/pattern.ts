// Command patterns (`deploy [env] [branch]`): parsing, matching cleaned words, and the
// load-time check that two patterns can never match the same text.

export type Token = { kind: 'word'; word: string } | { kind: 'param'; name: string }

const PARAM = /^\[([A-Za-z0-9_]+)\]$/

/** Splits a pattern into literal words (lower-cased: literals match in any case) and params. */
export function parsePattern(pattern: string): Token[] {
  return pattern
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const m = PARAM.exec(w)
      return m ? { kind: 'param', name: m[1]! } : { kind: 'word', word: w.toLowerCase() }
    })
}

export function paramNames(tokens: Token[]): string[] {
  return tokens.flatMap((t) => (t.kind === 'param' ? [t.name] : []))
}

export function patternText(tokens: Token[]): string {
  return tokens.map((t) => (t.kind === 'word' ? t.word : `[${t.name}]`)).join(' ')
}

/**
 * Matches words against tokens from first word to last. A param takes one or more whole words;
 * earlier params take as few as still let the rest match (so `[a] [b]` on `x y z` gives a=x, b="y z").
 *
 * Linear in the words (times the tokens), whatever the text: `rest[ti][wi]` says whether tokens
 * ti.. can match words wi.. exactly, filled from the end, a param's "one or more words, then the
 * rest" being a running OR over later positions. Then each param takes the shortest span after
 * which the rest can still match. (A backtracking matcher went quadratic, or worse with more
 * params, on long texts that almost match: one 40,000-character message froze the bot for seconds.)
 */
export function matchTokens(tokens: Token[], words: string[]): Record<string, string> | null {
  const n = words.length
  const lower = words.map((w) => w.toLowerCase())
  const rest = Array.from({ length: tokens.length + 1 }, () => new Uint8Array(n + 2))
  rest[tokens.length]![n] = 1
  for (let ti = tokens.length - 1; ti >= 0; ti--) {
    const t = tokens[ti]!
    const here = rest[ti]!
    const next = rest[ti + 1]!
    if (t.kind === 'word') {
      for (let wi = 0; wi < n; wi++) here[wi] = next[wi + 1]! & (lower[wi] === t.word ? 1 : 0)
    } else {
      let any = 0
      for (let wi = n - 1; wi >= 0; wi--) here[wi] = any |= next[wi + 1]!
    }
  }
  if (!rest[0]![0]) return null
  const out: Record<string, string> = {}
  let wi = 0
  tokens.forEach((t, ti) => {
    if (t.kind === 'word') return void wi++
    let end = wi + 1
    while (!rest[ti + 1]![end]) end++
    out[t.name] = words.slice(wi, end).join(' ')
    wi = end
  })
  return out
}

/**
 * True when some word sequence matches both patterns. Each pattern is a regular language over
 * words (a literal is one word, a param is "one or more of any word"), so we explore the product
 * of the two automata. The alphabet that matters is finite: the literals of both patterns plus
 * one stand-in for "any other word".
 */
export function patternsOverlap(a: Token[], b: Token[]): boolean {
  const OTHER = '\u0000other'
  const alphabet = new Set<string>([OTHER])
  for (const t of [...a, ...b]) if (t.kind === 'word') alphabet.add(t.word)
  // State per pattern: (index of next token, inside a param that may continue?)
  type S = [number, boolean]
  const step = (tokens: Token[], [i, inParam]: S, w: string): S[] => {
    const next: S[] = []
    if (inParam) next.push([i, true]) // the param swallows another word
    const t = tokens[i]
    if (t?.kind === 'word' && t.word === w) next.push([i + 1, false])
    if (t?.kind === 'param') next.push([i + 1, true])
    return next
  }
  // The param state [i, true] means token i-1 was a param that can still absorb words.
  const accepting = (tokens: Token[], [i]: S) => i === tokens.length
  const key = (x: S, y: S) => `${x[0]},${x[1]}|${y[0]},${y[1]}`
  const seen = new Set<string>()
  const todo: [S, S][] = [
    [
      [0, false],
      [0, false],
    ],
  ]
  while (todo.length) {
    const [x, y] = todo.pop()!
    if (accepting(a, x) && accepting(b, y)) return true
    for (const w of alphabet) {
      for (const nx of step(a, x, w)) {
        for (const ny of step(b, y, w)) {
          const k = key(nx, ny)
          if (!seen.has(k)) {
            seen.add(k)
            todo.push([nx, ny])
          }
        }
      }
    }
  }
  return false
}

const sameToken = (x: Token, y: Token) =>
  x.kind === 'param' ? y.kind === 'param' : y.kind === 'word' && x.word === y.word

/**
 * Which of two patterns wins when both match a text: the one with a literal word where the other,
 * until then the same, has a placeholder (`show all` beats `show [target]`), as the Python
 * ebmbot's users expect. Negative when `a` wins, positive when `b` does, 0 when neither (the two
 * are truly ambiguous if they overlap). Being a lexicographic order, it is transitive: among all
 * commands matching one text, one wins over every other.
 */
export function precedence(a: Token[], b: Token[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!
    const y = b[i]!
    if (sameToken(x, y)) continue
    if (x.kind === 'word' && y.kind === 'param') return -1
    if (x.kind === 'param' && y.kind === 'word') return 1
    return 0
  }
  return 0
}

/** Two patterns the router could not choose between: they overlap and neither takes precedence. */
export const patternsAmbiguous = (a: Token[], b: Token[]) =>
  precedence(a, b) === 0 && patternsOverlap(a, b)
