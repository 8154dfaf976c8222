// A command typed without its params (`op deploy` for `op deploy [env] [branch]`): which command
// it is and which params it lacks, so a slash command can ask for them in a form instead of
// answering "I didn't understand". Pure.
import type { Command, Config, Namespace } from '../config/types.ts'
import { paramNames } from '../syntax/pattern.ts'
import { cleanText, words } from './clean.ts'

export interface MissingParams {
  namespace: Namespace
  command: Command
  /** every param of the pattern, in order: all of them are asked for */
  params: string[]
}

/**
 * The one schedule_job command with params whose literal words (or the words before its first
 * param) are exactly what was typed.
 */
export function missingParams(config: Config, text: string): MissingParams | undefined {
  const ws = words(cleanText(text, {})).map((w) => w.toLowerCase())
  const ns = Object.values(config.namespaces).find((n) => n.name.toLowerCase() === ws[0])
  if (!ns) return undefined
  const typed = ws.slice(1).join(' ')
  const found = ns.commands.filter((c) => {
    const params = paramNames(c.tokens)
    const literal = c.tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : [])).join(' ')
    // The words before the first param name the command too (`op scale` for `scale [s] to [n]`).
    const first = c.tokens.findIndex((t) => t.kind === 'param')
    const leading = c.tokens
      .slice(0, first)
      .flatMap((t) => (t.kind === 'word' ? [t.word] : []))
      .join(' ')
    return (
      c.action === 'schedule_job' &&
      params.length > 0 &&
      (literal === typed || (leading !== '' && leading === typed))
    )
  })
  // Two commands with the same words and different params: the form could not choose.
  if (found.length !== 1) return undefined
  const command = found[0]!
  return { namespace: ns, command, params: paramNames(command.tokens) }
}

/** The text a filled-in form stands for: the pattern with each param replaced by its value. */
export function commandText(m: MissingParams, values: Record<string, string>): string {
  const rest = m.command.tokens.map((t) => (t.kind === 'word' ? t.word : (values[t.name] ?? '')))
  return [m.namespace.name, ...rest].join(' ')
}
