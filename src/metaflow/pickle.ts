// Decodes Python pickles into a typed tree of simple values with pickleparser, without its integer pitfalls; never runs code.
import { NameRegistry, Parser } from 'pickleparser'
import { PyFloat, rewriteNumbers, type NumberTable } from './pickle-numbers.ts'

/** A Python value as far as the bot shows it; anything that is not plain data is `object`. */
export type PyValue =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  /** lists and tuples: pickleparser turns both into arrays */
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]> }
  /** an instance (or reference) of a class that was not reconstructed, e.g. `datetime.datetime` */
  | { kind: 'object'; type: string }
  /** a container that contains itself */
  | { kind: 'cycle' }

export class PickleDecodeError extends Error {
  override readonly name = 'PickleDecodeError'
}

const MAX_NODES = 200_000
const MAX_DEPTH = 100

/**
 * Resolves class names to inert placeholders (pickleparser's default), except: our own markers for
 * numbers, and a few built-ins that are plain data (set, frozenset, bytes, bytearray) so that
 * protocol 2 pickles of those read as values too. Nothing here imports or calls Python code.
 */
class SafeRegistry extends NameRegistry {
  private readonly marker: string
  private readonly numbers: NumberTable
  constructor(marker: string, numbers: NumberTable) {
    super()
    this.marker = marker
    this.numbers = numbers
    for (const mod of ['builtins', '__builtin__']) {
      this.register(mod, 'set', function set(items: unknown[] = []) {
        return new Set(items)
      })
      this.register(mod, 'frozenset', function frozenset(items: unknown[] = []) {
        return new Set(items)
      })
      this.register(mod, 'bytes', bytesOf)
      this.register(mod, 'bytearray', bytesOf)
    }
    // Protocol 2 stores bytes as _codecs.encode(<latin-1 text>, 'latin1').
    this.register('_codecs', 'encode', function encode(text: unknown, codec: unknown) {
      if (typeof text === 'string' && (codec === 'latin1' || codec === 'latin-1'))
        return Buffer.from(text, 'latin1')
      return Object.create(opaque('_codecs', 'encode'))
    })
  }

  override resolve(module: string, name: string) {
    if (module === this.marker) {
      const value = this.numbers[Number(name)]
      // The parser pushes whatever resolve returns; these are values, not classes.
      return value as unknown as () => unknown
    }
    return super.resolve(module, name)
  }
}

function bytesOf(data: unknown = [], codec?: unknown): Uint8Array {
  if (data instanceof Uint8Array) return Buffer.from(data)
  if (typeof data === 'string' && (codec === 'latin1' || codec === 'latin-1'))
    return Buffer.from(data, 'latin1')
  if (Array.isArray(data) && data.every((b) => typeof b === 'number')) return Buffer.from(data)
  return Buffer.alloc(0)
}

function opaque(module: string, name: string): object {
  return { __module__: module, __name__: name }
}

/** Decodes pickle bytes (protocols 0–5, no out-of-band buffers). Throws PickleDecodeError. */
export function decodePickle(bytes: Uint8Array): PyValue {
  let parsed: unknown
  try {
    const marker = `__ebmbot_${crypto.randomUUID().replaceAll('-', '')}__`
    const { bytes: rewritten, numbers } = rewriteNumbers(bytes, marker)
    const parser = new Parser({
      nameResolver: new SafeRegistry(marker, numbers),
      unpicklingTypeOfDictionary: 'Map',
      unpicklingTypeOfSet: 'Set',
    })
    parsed = parser.parse(rewritten)
  } catch (err) {
    throw new PickleDecodeError(
      `cannot decode pickle: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  return toPy(parsed, new Set(), { nodes: 0 }, 0)
}

function toPy(
  v: unknown,
  ancestors: Set<object>,
  budget: { nodes: number },
  depth: number,
): PyValue {
  if (++budget.nodes > MAX_NODES) throw new PickleDecodeError('value too large to show')
  if (v === null || v === undefined) return { kind: 'none' }
  if (typeof v === 'boolean') return { kind: 'bool', value: v }
  if (typeof v === 'bigint') return { kind: 'int', value: v }
  if (typeof v === 'number')
    return Number.isInteger(v) ? { kind: 'int', value: BigInt(v) } : { kind: 'float', value: v }
  if (typeof v === 'string') return { kind: 'str', value: v }
  if (v instanceof PyFloat) return { kind: 'float', value: v.value }
  if (v instanceof Uint8Array) return { kind: 'bytes', value: v }
  if (typeof v === 'function') return { kind: 'object', type: classNameOf(v.prototype) ?? 'type' }
  if (typeof v !== 'object') return { kind: 'object', type: typeof v }
  if (ancestors.has(v)) return { kind: 'cycle' }
  if (depth >= MAX_DEPTH) return { kind: 'object', type: 'nested too deeply' }
  ancestors.add(v)
  try {
    const child = (x: unknown) => toPy(x, ancestors, budget, depth + 1)
    if (Array.isArray(v)) return { kind: 'list', items: v.map(child) }
    if (v instanceof Set) return { kind: 'set', items: [...v].map(child) }
    if (v instanceof Map) {
      const entries: Array<[PyValue, PyValue]> = [...v].map(([k, x]) => [child(k), child(x)])
      // The parser's DICT opcode assigns properties even on a Map; keep those entries too.
      for (const [k, x] of Object.entries(v)) entries.push([{ kind: 'str', value: k }, child(x)])
      return { kind: 'dict', entries }
    }
    return { kind: 'object', type: classNameOf(v) ?? 'object' }
  } finally {
    ancestors.delete(v)
  }
}

/** pickleparser puts `__module__`/`__name__` on the placeholder's prototype. */
function classNameOf(o: unknown): string | null {
  if (o === null || typeof o !== 'object') return null
  const { __module__: mod, __name__: name } = o as { __module__?: unknown; __name__?: unknown }
  if (typeof name !== 'string') return null
  return typeof mod === 'string' && mod !== 'builtins' && mod !== '__builtin__'
    ? `${mod}.${name}`
    : name
}

/** True when every part of the value is plain data (no class instances). */
export function isSimple(v: PyValue): boolean {
  switch (v.kind) {
    case 'object':
      return false
    case 'list':
    case 'set':
      return v.items.every(isSimple)
    case 'dict':
      return v.entries.every(([k, x]) => isSimple(k) && isSimple(x))
    default:
      return true
  }
}
