// Reads Metaflow's `_exception` artifact: a pickled `metaflow.exception.MetaflowExceptionWrapper`
// whose state is three strings (`type`, `exception`, `stacktrace`). Only that class is rebuilt,
// into a plain record; every other name stays an inert placeholder and no Python code runs.
import { NameRegistry, Parser } from 'pickleparser'

export interface MetaflowException {
  /** `builtins.ValueError`, `__main__.BadInput`, … */
  type: string
  message: string
  stacktrace: string | null
}

export const EXCEPTION_WRAPPER = 'metaflow.exception.MetaflowExceptionWrapper'

class WrapperState {
  state: unknown = null
  __setstate__(state: unknown): void {
    this.state = state
  }
}

class WrapperRegistry extends NameRegistry {
  constructor() {
    super()
    // The wrapper pickles as `MetaflowExceptionWrapper(None)` followed by its `__dict__`.
    this.register('metaflow.exception', 'MetaflowExceptionWrapper', function wrapper() {
      return new WrapperState()
    })
  }
}

/** The exception in a `_exception` pickle; null for `None` (no failure) or anything else. */
export function decodeMetaflowException(bytes: Uint8Array): MetaflowException | null {
  let parsed: unknown
  try {
    parsed = new Parser({
      nameResolver: new WrapperRegistry(),
      unpicklingTypeOfDictionary: 'Map',
    }).parse(bytes)
  } catch {
    return null
  }
  if (!(parsed instanceof WrapperState)) return null
  const get = (k: string): unknown => {
    const s = parsed.state
    if (s instanceof Map) return s.get(k)
    return s && typeof s === 'object' ? (s as Record<string, unknown>)[k] : undefined
  }
  const type = get('type')
  const message = get('exception')
  const stacktrace = get('stacktrace')
  if (typeof type !== 'string' || typeof message !== 'string') return null
  return { type, message, stacktrace: typeof stacktrace === 'string' ? stacktrace : null }
}

/** `ValueError: alpha must not be negative` (built-in exceptions without their module). */
export function exceptionLine(e: MetaflowException): string {
  const type = e.type.replace(/^builtins\./, '')
  return e.message ? `${type}: ${e.message}` : type
}
