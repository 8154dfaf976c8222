// "Did you mean": up to three commands close to what the user typed (shared or nearly-equal words).
import type { Command, Config, Namespace } from '../config/types.ts'
import { patternText } from '../syntax/pattern.ts'

/** Edit distance where swapping two neighbouring letters counts once (`deplyo` is one typo away). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

/** Allowed typos grow with the word: none for short words, two for long ones. */
// Lengths more than two apart are never within two edits: skip the matrix, which for a very long
// typed word (a 40,000-character Slack message) would cost a second and megabytes per literal.
const close = (a: string, b: string) =>
  a === b ||
  (Math.min(a.length, b.length) >= 4 &&
    Math.abs(a.length - b.length) <= 2 &&
    editDistance(a, b) <= (b.length >= 7 ? 2 : 1))

export function suggestCommands(
  config: Config,
  words: string[],
  max = 3,
  visible: (ns: Namespace, c: Command) => boolean = () => true,
): string[] {
  const typed = words.map((w) => w.toLowerCase())
  const candidates: { text: string; literals: string[] }[] = [
    { text: 'status', literals: ['status'] },
    { text: 'help', literals: ['help'] },
    { text: 'remove job id [id]', literals: ['remove', 'job', 'id'] },
    ...Object.values(config.namespaces).flatMap((ns) =>
      ns.commands
        .filter((c) => visible(ns, c))
        .map((c) => ({
          text: `${ns.name} ${patternText(c.tokens)}`,
          literals: [
            ns.name.toLowerCase(),
            ...c.tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : [])),
          ],
        })),
    ),
  ]
  const scored = candidates.map(({ text, literals }) => {
    // Words beyond the namespace count double: the namespace alone says little.
    // Literal words the user did not type count against a candidate a little.
    let score = 0
    let hits = 0
    literals.forEach((lit, i) => {
      if (typed.some((w) => close(w, lit))) {
        score += i === 0 && literals.length > 1 ? 1 : 2
        hits++
      } else score -= 0.5
    })
    return { text, score: hits ? score : 0 }
  })
  return scored
    .filter((s) => s.score >= 1.5)
    .sort((a, b) => b.score - a.score || a.text.length - b.text.length)
    .slice(0, max)
    .map((s) => s.text)
}
