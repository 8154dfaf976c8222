// Rewrites a pickle's number opcodes into named markers so that ints decode exactly (as bigint) and floats stay floats.
//
// Why: pickleparser reads LONG1 as unsigned (so -2**40 comes out as a wrong positive number),
// loses precision from 2**53 and throws from 2**63; and a float 1.0 is indistinguishable from the
// int 1 once parsed. Each number opcode pushes exactly one value, so replacing it with a GLOBAL
// opcode that the name resolver answers with the exact value keeps the stack and memo intact.

/** Box for Python floats so that `1.0` stays a float after parsing (JS has one number type). */
export class PyFloat {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

/** Values the markers stand for, by index. */
export type NumberTable = Array<bigint | PyFloat>

/** How each opcode's argument is laid out (Python's pickletools); `stop` ends the walk. */
type Arg = 0 | 1 | 2 | 4 | 8 | 'line' | 'line2' | 'len1' | 'len4' | 'len8' | 'stop'

const ARGS = new Map<number, Arg>()
const set = (codes: string | number[], arg: Arg) => {
  for (const c of typeof codes === 'string' ? [...codes].map((ch) => ch.charCodeAt(0)) : codes)
    ARGS.set(c, arg)
}
set('(01)2NQRabd}el]ostu', 0)
set([0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94], 0)
set('.', 'stop')
set('Khq', 1)
set([0x80, 0x82], 1)
set('M', 2)
set([0x83], 2)
set('Jjr', 4)
set([0x84], 4)
set('G', 8)
set([0x95], 8)
set('FILPSVgp', 'line')
set('ci', 'line2')
set('UC', 'len1')
set([0x8a, 0x8c], 'len1')
set('TXB', 'len4')
set([0x8b], 'len4')
set([0x8d, 0x8e, 0x96], 'len8')

const OP_INT = 0x49 // 'I'
const OP_LONG = 0x4c // 'L'
const OP_FLOAT = 0x46 // 'F'
const OP_BINFLOAT = 0x47 // 'G'
const OP_UNICODE = 0x56 // 'V'
const OP_LONG1 = 0x8a
const OP_LONG4 = 0x8b

export function rewriteNumbers(
  input: Uint8Array,
  marker: string,
): { bytes: Uint8Array; numbers: NumberTable } {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const numbers: NumberTable = []
  const out: Uint8Array[] = []
  const enc = new TextEncoder()
  let copied = 0
  let i = 0
  const need = (n: number) => {
    if (i + n > input.length) throw new Error('pickle ends early')
  }
  const lineEnd = (from: number) => {
    const end = input.indexOf(0x0a, from)
    if (end < 0) throw new Error('pickle ends early')
    return end
  }
  const splice = (start: number, end: number, bytes: Uint8Array) => {
    out.push(input.subarray(copied, start), bytes)
    copied = end
  }
  const replace = (start: number, end: number, value: bigint | PyFloat) => {
    splice(start, end, enc.encode(`c${marker}\n${numbers.length}\n`))
    numbers.push(value)
  }
  for (;;) {
    need(1)
    const op = input[i] as number
    const arg = ARGS.get(op)
    if (arg === undefined) throw new Error(`unsupported pickle opcode 0x${op.toString(16)}`)
    const start = i++
    if (arg === 'stop') break
    if (typeof arg === 'number') {
      need(arg)
      if (op === OP_BINFLOAT) replace(start, i + 8, new PyFloat(view.getFloat64(i, false)))
      i += arg
    } else if (arg === 'line' || arg === 'line2') {
      const end = lineEnd(i)
      const text = latin1(input.subarray(i, end))
      i = arg === 'line2' ? lineEnd(end + 1) + 1 : end + 1
      // INT 01/00 are protocol 0's booleans; the parser handles those.
      if ((op === OP_INT && text !== '01' && text !== '00') || op === OP_LONG)
        replace(start, i, parseIntText(text))
      if (op === OP_FLOAT) replace(start, i, new PyFloat(parseFloatText(text)))
      // The parser reads protocol 0 text as ASCII and leaves its \uXXXX escapes in place.
      if (op === OP_UNICODE) splice(start, i, binUnicode(decodeRawUnicodeEscape(text)))
    } else {
      const width = arg === 'len1' ? 1 : arg === 'len4' ? 4 : 8
      need(width)
      const len =
        width === 1
          ? input[i]!
          : width === 4
            ? view.getUint32(i, true)
            : Number(view.getBigUint64(i, true))
      i += width
      need(len)
      if (op === OP_LONG1 || op === OP_LONG4)
        replace(start, i + len, signedLittleEndian(input.subarray(i, i + len)))
      i += len
    }
  }
  out.push(input.subarray(copied, i))
  return { bytes: Buffer.concat(out), numbers }
}

/** Two's-complement little-endian, as pickle's LONG1/LONG4 store ints. */
function signedLittleEndian(b: Uint8Array): bigint {
  let v = 0n
  for (let k = b.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]!)
  if (b.length > 0 && (b[b.length - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * b.length)
  return v
}

/** Python's raw-unicode-escape: latin-1 text where only \\uXXXX and \\UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(text: string): string {
  return text.replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_m, u: string | undefined, big: string | undefined) =>
      String.fromCodePoint(parseInt((u ?? big)!, 16)),
  )
}

/** True latin-1 (TextDecoder's "latin1" is windows-1252, which remaps 0x80–0x9f). */
function latin1(bytes: Uint8Array): string {
  let s = ''
  for (let k = 0; k < bytes.length; k += 8192)
    s += String.fromCharCode(...bytes.subarray(k, k + 8192))
  return s
}

/** A BINUNICODE opcode pushing `text`. */
function binUnicode(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text)
  const op = new Uint8Array(5 + utf8.length)
  op[0] = 0x58 // 'X'
  new DataView(op.buffer).setUint32(1, utf8.length, true)
  op.set(utf8, 5)
  return op
}

function parseIntText(text: string): bigint {
  const t = text.trim().replace(/L$/, '')
  if (!/^[+-]?\d+$/.test(t)) throw new Error(`bad integer ${JSON.stringify(text)} in pickle`)
  return BigInt(t)
}

/** Protocol 0 writes repr(float): plain decimals, or nan/inf/-inf. */
function parseFloatText(text: string): number {
  const t = text.trim().toLowerCase()
  if (t === 'nan') return NaN
  if (t === 'inf' || t === '+inf') return Infinity
  if (t === '-inf') return -Infinity
  const v = Number(t)
  if (Number.isNaN(v)) throw new Error(`bad float ${JSON.stringify(text)} in pickle`)
  return v
}
