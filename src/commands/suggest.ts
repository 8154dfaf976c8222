// "Did you mean": up to three commands close to what the user typed (shared or nearly-equal words).
import type { Command, Config, Namespace } from '../config/types.ts'
import { editDistance } from '../util/edit-distance.ts'
import { patternText } from '../syntax/pattern.ts'

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
