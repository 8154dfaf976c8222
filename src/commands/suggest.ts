// "Did you mean": up to three commands close to what the user typed (shared or nearly-equal words).
import type { Config } from '../config/types.ts'
import { patternText } from './pattern.ts'

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length]!
}

/** Allowed typos grow with the word: none for short words, two for long ones. */
const close = (a: string, b: string) => a === b || (Math.min(a.length, b.length) >= 4 && editDistance(a, b) <= (b.length >= 7 ? 2 : 1))

export function suggestCommands(config: Config, words: string[], max = 3): string[] {
  const typed = words.map((w) => w.toLowerCase())
  const candidates: { text: string; literals: string[] }[] = [
    { text: 'status', literals: ['status'] },
    { text: 'help', literals: ['help'] },
    { text: 'remove job id [id]', literals: ['remove', 'job', 'id'] },
    ...Object.values(config.namespaces).flatMap((ns) =>
      ns.commands.map((c) => ({
        text: `${ns.name} ${patternText(c.tokens)}`,
        literals: [ns.name.toLowerCase(), ...c.tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : []))],
      })),
    ),
  ]
  const scored = candidates.map(({ text, literals }) => {
    // Words beyond the namespace count double: the namespace alone says little.
    let score = 0
    literals.forEach((lit, i) => {
      if (typed.some((w) => close(w, lit))) score += i === 0 && literals.length > 1 ? 1 : 2
    })
    return { text, score }
  })
  return scored
    .filter((s) => s.score >= 2)
    .sort((a, b) => b.score - a.score || a.text.length - b.text.length)
    .slice(0, max)
    .map((s) => s.text)
}
