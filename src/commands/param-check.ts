// Checks captured values against a command's `params:`: a value that does not fit is refused
// with a reply saying what fits. Pure. A text value starting with "-" is refused unless the
// param allows it, so `deploy --force` cannot slip an option into a job's command line.
import type { ParamSpec } from '../config/param-schema.ts'

export type ParamCheck =
  | { ok: true; params: Record<string, string> }
  | { ok: false; param: string; reason: string }

const INTEGER = /^[+-]?\d+$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/

/** What a value for this param may be, in words. */
export function describeParam(spec: ParamSpec | undefined): string {
  if (!spec) return 'text not starting with "-"'
  if (spec.choices) return `one of ${spec.choices.map((c) => `\`${c}\``).join(', ')}`
  const kind =
    spec.type === 'integer' ? 'a whole number' : spec.type === 'number' ? 'a number' : 'text'
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` from ${spec.min} to ${spec.max}`
      : spec.min !== undefined
        ? ` of at least ${spec.min}`
        : spec.max !== undefined
          ? ` of at most ${spec.max}`
          : ''
  const shape = spec.pattern ? ` matching \`${spec.pattern}\`` : ''
  const dash = spec.type === 'string' && !spec.allow_dash ? ' not starting with "-"' : ''
  return `${kind}${range}${shape}${dash}`
}

function fits(value: string, spec: ParamSpec | undefined): string | null {
  const s = spec ?? ({ type: 'string', allow_dash: false } as ParamSpec)
  if (s.choices) {
    const hit = s.choices.find((c) => c.toLowerCase() === value.toLowerCase())
    return hit ?? null
  }
  if (s.type === 'integer' || s.type === 'number') {
    if (!(s.type === 'integer' ? INTEGER : NUMBER).test(value)) return null
    const n = Number(value)
    if (!Number.isFinite(n)) return null
    if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) return null
  } else if (value.startsWith('-') && !s.allow_dash) return null
  // The whole value must match, not some part of it.
  if (s.pattern && !new RegExp(`^(?:${s.pattern})$`).test(value)) return null
  return value
}

/** The values as the job gets them (a choice in its listed spelling), or why one is refused. */
export function checkParams(
  values: Record<string, string>,
  specs: Readonly<Record<string, ParamSpec>>,
): ParamCheck {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    const spec = specs[name]
    const ok = fits(value, spec)
    if (ok === null)
      return {
        ok: false,
        param: name,
        reason: `\`${value.length > 60 ? `${value.slice(0, 60)}…` : value}\` does not fit [${name}]: it must be ${describeParam(spec)}.`,
      }
    out[name] = ok
  }
  return { ok: true, params: out }
}
