// Pure rendering of decoded Python values: Python-style repr for chat, and plain JSON for exports.
import type { PyValue } from './pickle.ts'

export interface ReprLimits {
  /** items shown per list, set or dict */
  maxItems?: number
  /** characters shown per string */
  maxString?: number
  /** bytes shown per bytes value */
  maxBytes?: number
  /** ints with more digits are summarised */
  maxDigits?: number
}

const DEFAULTS: Required<ReprLimits> = { maxItems: 50, maxString: 500, maxBytes: 32, maxDigits: 40 }

/** Roughly what Python's repr() prints, shortened where values are long. */
export function pyRepr(v: PyValue, limits: ReprLimits = {}): string {
  const l = { ...DEFAULTS, ...limits }
  const r = (x: PyValue): string => pyRepr(x, l)
  switch (v.kind) {
    case 'none':
      return 'None'
    case 'bool':
      return v.value ? 'True' : 'False'
    case 'int':
      return intText(v.value, l.maxDigits)
    case 'float':
      return floatRepr(v.value)
    case 'str':
      return strRepr(v.value, l.maxString)
    case 'bytes':
      return bytesRepr(v.value, l.maxBytes)
    case 'list':
      return `[${items(v.items.map(r), v.items.length, l.maxItems)}]`
    case 'set':
      return v.items.length === 0
        ? 'set()'
        : `{${items(v.items.map(r), v.items.length, l.maxItems)}}`
    case 'dict':
      return `{${items(
        v.entries.slice(0, l.maxItems).map(([k, x]) => `${r(k)}: ${r(x)}`),
        v.entries.length,
        l.maxItems,
      )}}`
    case 'object':
      return `<${v.type} object>`
    case 'cycle':
      return '[...]'
  }
}

function items(shown: string[], total: number, max: number): string {
  const list = shown.slice(0, max)
  if (total > max) list.push(`… ${total - max} more`)
  return list.join(', ')
}

/** Exact, unless the number is too long to be useful in chat. */
function intText(n: bigint, maxDigits: number): string {
  const s = n.toString()
  const digits = s.replace('-', '').length
  return digits > maxDigits ? `int (too large to show exactly, ${digits} digits)` : s
}

/** Python's float repr: always a decimal point or exponent, two-digit exponents, nan/inf. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (Object.is(x, -0)) return '-0.0'
  const abs = Math.abs(x)
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mant, exp] = x.toExponential().split('e') as [string, string]
    const sign = exp.startsWith('-') ? '-' : '+'
    return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`
  }
  const s = String(x)
  return s.includes('.') ? s : `${s}.0`
}

function strRepr(s: string, max = Infinity): string {
  const cut = s.length > max ? s.slice(0, max) : s
  const quote = cut.includes("'") && !cut.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of cut) {
    const c = ch.codePointAt(0)!
    if (ch === '\\' || ch === quote) out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  out += quote
  return s.length > max ? `${out}… (${s.length} characters)` : out
}

function bytesRepr(b: Uint8Array, max: number): string {
  let out = "b'"
  for (const c of b.subarray(0, max)) {
    if (c === 0x5c || c === 0x27) out += `\\${String.fromCharCode(c)}`
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c)
    else out += `\\x${c.toString(16).padStart(2, '0')}`
  }
  out += "'"
  return b.length > max ? `${out}… (${b.length} bytes)` : out
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/**
 * Plain JSON for exports: ints that do not fit a double become strings, as do nan/inf and
 * bytes; dicts become objects when every key is a string, else lists of [key, value] pairs.
 */
export function pyToJson(v: PyValue): Json {
  switch (v.kind) {
    case 'none':
      return null
    case 'bool':
      return v.value
    case 'int': {
      const n = Number(v.value)
      return Number.isSafeInteger(n) ? n : v.value.toString()
    }
    case 'float':
      return Number.isFinite(v.value) ? v.value : floatRepr(v.value)
    case 'str':
      return v.value
    case 'bytes':
      return `<${v.value.length} bytes>`
    case 'list':
    case 'set':
      return v.items.map(pyToJson)
    case 'dict':
      if (v.entries.every(([k]) => k.kind === 'str')) {
        return Object.fromEntries(
          v.entries.map(([k, x]) => [(k as { value: string }).value, pyToJson(x)]),
        )
      }
      return v.entries.map(([k, x]) => [pyToJson(k), pyToJson(x)])
    case 'object':
      return `<${v.type}>`
    case 'cycle':
      return '[...]'
  }
}

/** `"<class 'float'>"` (data.json's type strings) → `float`; other text is kept. */
export function shortTypeName(type: string | null | undefined): string | null {
  if (!type) return null
  const m = /^<(?:class|type) '([^']+)'>$/.exec(type)
  return m ? m[1]! : type
}
