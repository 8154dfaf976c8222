// A reader for plain Python literals (dicts, lists, tuples, strings, numbers, True/False/None),
// for when no python3 can evaluate a job_configs.py. Pure: source text in, JSON-like values out;
// anything that is not a literal (a call, a name, an f-string) is an error with its line.

export class PyLiteralError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`)
  }
}

export type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue }

type Tok =
  | { t: 'str'; v: string; line: number }
  | { t: 'num'; v: number; line: number }
  | { t: 'name'; v: string; line: number }
  | { t: 'op'; v: string; line: number }
  | { t: 'end'; line: number }

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
}

/** Tokens of one expression starting at `from`: it ends at a newline outside brackets. */
function tokenize(src: string, from: number): Tok[] {
  const toks: Tok[] = []
  let i = from
  let line = src.slice(0, from).split('\n').length
  let depth = 0
  while (i < src.length) {
    const c = src[i]!
    if (c === '\n') {
      line++
      i++
      if (depth === 0 && toks.length) break
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2
      line++
      continue
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    const str = /^([rRuUbB]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5))
    const fString = /^[fF][rR]?['"]|^[rR][fF]['"]/.test(src.slice(i, i + 3))
    if (fString) throw new PyLiteralError('an f-string is not a literal', line)
    if (str && (str[1] === '' || /^[rRuUbB]+$/.test(str[1]!))) {
      const raw = /r/i.test(str[1]!)
      const quote = str[2]!
      let j = i + str[0].length
      let v = ''
      const startLine = line
      for (;;) {
        if (j >= src.length) throw new PyLiteralError('a string is not closed', startLine)
        if (src.startsWith(quote, j)) {
          j += quote.length
          break
        }
        const ch = src[j]!
        if (ch === '\n') {
          if (quote.length === 1) throw new PyLiteralError('a string is not closed', startLine)
          line++
        }
        if (ch === '\\' && !raw) {
          const next = src[j + 1] ?? ''
          if (next in ESCAPES) {
            v += ESCAPES[next]
            if (next === '\n') line++
            j += 2
            continue
          }
          const hex = /^x([0-9a-fA-F]{2})|^u([0-9a-fA-F]{4})|^U([0-9a-fA-F]{8})/.exec(
            src.slice(j + 1, j + 10),
          )
          if (hex) {
            v += String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16))
            j += 1 + hex[0].length
            continue
          }
          v += ch // Python keeps an unknown escape as written
          j++
          continue
        }
        if (ch === '\\' && raw && src[j + 1] !== undefined) {
          v += ch + src[j + 1]
          j += 2
          continue
        }
        v += ch
        j++
      }
      toks.push({ t: 'str', v, line: startLine })
      i = j
      continue
    }
    const num = /^(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)/.exec(src.slice(i))
    if (num && /\d/.test(c)) {
      toks.push({ t: 'num', v: Number(num[0].replace(/_/g, '')), line })
      i += num[0].length
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))
    if (name) {
      toks.push({ t: 'name', v: name[0], line })
      i += name[0].length
      continue
    }
    if ('{[('.includes(c)) depth++
    if ('}])'.includes(c)) depth--
    // Any other character (an operator, a dot) is a token the parser will name as not a literal.
    toks.push({ t: 'op', v: c, line })
    i++
  }
  toks.push({ t: 'end', line })
  return toks
}

/** Parses the Python literal that starts at `from` in `src`. */
export function parsePyLiteral(src: string, from = 0): PyValue {
  const toks = tokenize(src, from)
  let k = 0
  const peek = () => toks[k]!
  const take = () => toks[k++]!
  const expect = (op: string) => {
    const t = take()
    if (t.t !== 'op' || t.v !== op)
      throw new PyLiteralError(`expected "${op}", found ${describe(t)}`, t.line)
  }
  const isOp = (op: string) => peek().t === 'op' && (peek() as { v: string }).v === op

  function value(): PyValue {
    const t = take()
    if (t.t === 'str') {
      let v = t.v
      while (peek().t === 'str') v += (take() as { v: string }).v // adjacent strings concatenate
      return v
    }
    if (t.t === 'num') return t.v
    if (t.t === 'name') {
      if (t.v === 'True') return true
      if (t.v === 'False') return false
      if (t.v === 'None') return null
      throw new PyLiteralError(
        `${t.v} is a name, not a literal (python3 can evaluate the file; this reader cannot)`,
        t.line,
      )
    }
    if (t.t === 'op' && t.v === '-' && peek().t === 'num') return -(take() as { v: number }).v
    if (t.t === 'op' && t.v === '{') {
      const out: Record<string, PyValue> = {}
      while (!isOp('}')) {
        const keyTok = peek()
        const key = value()
        if (typeof key !== 'string' && typeof key !== 'number')
          throw new PyLiteralError('a dict key must be a string or a number', keyTok.line)
        expect(':')
        out[String(key)] = value()
        if (!isOp('}')) expect(',')
      }
      take()
      return out
    }
    if (t.t === 'op' && (t.v === '[' || t.v === '(')) {
      const close = t.v === '[' ? ']' : ')'
      const items: PyValue[] = []
      let comma = false
      while (!isOp(close)) {
        items.push(value())
        if (!isOp(close)) {
          expect(',')
          comma = true
        }
      }
      take()
      // `(x)` is x; `(x,)` and `(x, y)` are tuples, read as lists.
      return t.v === '(' && items.length === 1 && !comma ? items[0]! : items
    }
    throw new PyLiteralError(`unexpected ${describe(t)}`, t.line)
  }

  const v = value()
  if (peek().t !== 'end') {
    const t = peek()
    throw new PyLiteralError(`unexpected ${describe(t)} after the literal`, t.line)
  }
  return v
}

function describe(t: Tok): string {
  if (t.t === 'end') return 'the end of the expression'
  if (t.t === 'str') return 'a string'
  return JSON.stringify(String(t.v))
}

/**
 * The literal assigned to `name` at the top level (`raw_config = {...}`), or undefined when the
 * file has no such line.
 */
export function literalAssignment(src: string, name: string): PyValue | undefined {
  const m = new RegExp(`^${name}\\s*(?::[^=\\n]*)?=(?!=)`, 'm').exec(src)
  if (!m) return undefined
  return parsePyLiteral(src, m.index + m[0].length)
}
