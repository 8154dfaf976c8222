// The conversational side of the Metaflow commands, as the Metaflow Slack bot had it: a greeting
// or `new thread` gets an intro, `how to run` / `how to set parameters` / `version` get answers,
// and a word one typo away from a Metaflow verb gets "did you mean". Pure: words in, a verb out.
import { closeNames } from '../metaflow/flow-names.ts'

export type TalkVerb =
  | { kind: 'intro' }
  | { kind: 'version' }
  | { kind: 'howto'; topic: 'run' | 'params' }
  /** a typo of a Metaflow verb: the text as it was probably meant */
  | { kind: 'did-you-mean'; typed: string; meant: string }

const GREETINGS = new Set(['hello', 'hi', 'hey', 'hallo', 'howdy'])

/** Null when the words are not small talk. */
export function conversational(low: readonly string[]): TalkVerb | null {
  const text = low.join(' ').replace(/[!.?]+$/, '')
  if ((low.length === 1 && GREETINGS.has(text)) || text === 'new thread') return { kind: 'intro' }
  if (text === 'version' || text === '--version') return { kind: 'version' }
  if (text === 'how to run' || text === 'how to start' || text === 'help run')
    return { kind: 'howto', topic: 'run' }
  if (/^how (?:to|do i) (?:set|pass|give) (?:the )?(?:parameters|params)$/.test(text))
    return { kind: 'howto', topic: 'params' }
  return null
}

/** Verbs a thread that follows a run understands, and those understood anywhere. */
const THREAD_VERBS = [
  'status',
  'steps',
  'params',
  'data',
  'logs',
  'export',
  'watch',
  'quiet',
  'loud',
  'cancel',
  'rerun',
  'help',
  'inspect',
  'runs',
]
const ANYWHERE_VERBS = ['flows', 'runs', 'inspect', 'watch', 'params', 'version']

/**
 * The first word is one typo from a Metaflow verb (`stpes`, `insepct`): suggest the text with the
 * verb spelled right. Only words of four letters or more, so short words are never taken for verbs.
 */
export function typoOfVerb(
  low: readonly string[],
  words: readonly string[],
  inThread: boolean,
): TalkVerb | null {
  const first = low[0]
  if (!first || first.length < 4) return null
  const verbs = inThread ? [...new Set([...THREAD_VERBS, ...ANYWHERE_VERBS])] : ANYWHERE_VERBS
  if (verbs.includes(first)) return null
  const [meant] = closeNames(first, verbs, 1)
  if (!meant) return null
  return {
    kind: 'did-you-mean',
    typed: words.join(' '),
    meant: [meant, ...words.slice(1)].join(' '),
  }
}
