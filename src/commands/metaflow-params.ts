// `run <Flow> name=value …`: the chat parameters of a flow run, split and checked against the
// flow's allowed list. Values reach Metaflow as single shell-quoted words (launch.ts), so the only
// job here is to say clearly what is wrong before anything is queued.
import type { MetaflowFlowConfig } from '../config/metaflow-config.ts'

export type ParamsParse =
  | { ok: true; params: Record<string, string> }
  | { ok: false; error: string }

/** Long enough for any sane parameter, short enough that a pasted file is refused. */
const MAX_VALUE_CHARS = 1000

/** Splits `a=1 b="two words" c='x'` into tokens; Slack's typographic quotes count as quotes. */
export function splitParamText(
  text: string,
): { ok: true; tokens: string[] } | { ok: false; error: string } {
  const s = text.replace(/[\u201c\u201d]/g, '"').replace(/[\u2018\u2019]/g, "'")
  const tokens: string[] = []
  let cur = ''
  let has = false
  let quote: string | null = null
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = null
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (/\s/.test(c)) {
      if (has) tokens.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
      has = true
    }
  }
  if (quote)
    return { ok: false, error: `A ${quote === '"' ? 'double' : 'single'} quote is not closed.` }
  if (has) tokens.push(cur)
  return { ok: true, tokens }
}

export function parseFlowParams(flow: MetaflowFlowConfig, text: string): ParamsParse {
  const split = splitParamText(text)
  if (!split.ok) return split
  const allowed = flow.params
  const list = allowed.length ? allowed.map((p) => `\`${p.name}\``).join(', ') : null
  const params: Record<string, string> = {}
  for (const token of split.tokens) {
    const eq = token.indexOf('=')
    if (token.startsWith('-')) {
      return {
        ok: false,
        error: `Write parameters as \`name=value\`, e.g. \`${allowed[0]?.name ?? 'alpha'}=0.5\`, not \`${token}\`.`,
      }
    }
    if (eq <= 0) {
      const named = allowed.find((p) => p.name.toLowerCase() === token.toLowerCase())
      return {
        ok: false,
        error: named
          ? `\`${named.name}\` needs a value: say \`${named.name}=…\`.`
          : `I expected \`name=value\`, not \`${token}\`.`,
      }
    }
    const name = token.slice(0, eq)
    const value = token.slice(eq + 1)
    const spec =
      allowed.find((p) => p.name === name) ??
      allowed.find((p) => p.name.toLowerCase() === name.toLowerCase())
    if (!spec) {
      return {
        ok: false,
        error: list
          ? `\`${flow.flow}\` has no parameter \`${name}\` that chat may set. Parameters: ${list}.`
          : `\`${flow.flow}\` takes no parameters from chat.`,
      }
    }
    if (spec.name in params) return { ok: false, error: `\`${spec.name}\` is given twice.` }
    if (value === '')
      return { ok: false, error: `\`${spec.name}\` needs a value: say \`${spec.name}=…\`.` }
    if (value.length > MAX_VALUE_CHARS)
      return {
        ok: false,
        error: `The value of \`${spec.name}\` is longer than ${MAX_VALUE_CHARS} characters.`,
      }
    if (spec.choices && !spec.choices.includes(value)) {
      return {
        ok: false,
        error: `\`${spec.name}\` must be one of ${spec.choices.map((c) => `\`${c}\``).join(', ')}, not \`${value}\`.`,
      }
    }
    params[spec.name] = value
  }
  return { ok: true, params }
}

/** `alpha=0.5 mode=fast`, for replies and the request text. */
export function paramsText(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${/[\s"']/.test(v) || v === '' ? JSON.stringify(v) : v}`)
    .join(' ')
}
