// Flow names as people type them: Metaflow's are case-sensitive Python class names, so a name in
// the wrong case is taken as the one flow it matches (and said so), and a typo gets a suggestion.
import { editDistance } from '../util/edit-distance.ts'
import { MetaflowNotFoundError } from './errors.ts'
import type { MetaflowSource } from './source.ts'

export type FlowName =
  | { kind: 'exact'; flow: string }
  /** typed in another case; `flow` is the name Metaflow knows */
  | { kind: 'case'; flow: string; typed: string }
  | { kind: 'missing'; typed: string; suggestions: string[] }

/** Up to three known names close to `typed`: equal ignoring case, else a typo or two away. */
export function closeNames(typed: string, known: readonly string[], max = 3): string[] {
  const low = typed.toLowerCase()
  const same = known.filter((k) => k.toLowerCase() === low)
  if (same.length) return same.slice(0, max)
  const allowed = low.length >= 8 ? 2 : low.length >= 3 ? 1 : 0
  return known
    .map((k) => ({
      k,
      d: Math.abs(k.length - low.length) > 2 ? 99 : editDistance(low, k.toLowerCase()),
    }))
    .filter((x) => x.d <= allowed)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, max)
    .map((x) => x.k)
}

export async function findFlowName(source: MetaflowSource, typed: string): Promise<FlowName> {
  try {
    await source.getFlow(typed)
    return { kind: 'exact', flow: typed }
  } catch (e) {
    if (!(e instanceof MetaflowNotFoundError)) throw e
  }
  const known = (await source.listFlows()).map((f) => f.flow_id)
  const same = known.filter((k) => k.toLowerCase() === typed.toLowerCase())
  if (same.length === 1) return { kind: 'case', flow: same[0]!, typed }
  return { kind: 'missing', typed, suggestions: closeNames(typed, known) }
}

/** "Did you mean `HelloFlow`?" or nothing. */
export function didYouMean(names: readonly string[]): string {
  if (!names.length) return ''
  const list = names.map((n) => `\`${n}\``)
  return ` Did you mean ${list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`}?`
}

export function flowNotFound(name: Extract<FlowName, { kind: 'missing' }>): string {
  return `Flow \`${name.typed}\` was not found.${didYouMean(name.suggestions)} Say \`flows\` for the list.`
}

/** Put before an answer given for the right-cased name. */
export const caseNote = (name: Extract<FlowName, { kind: 'case' }>) =>
  `(\`${name.typed}\` is \`${name.flow}\`: flow names are case-sensitive.)`
