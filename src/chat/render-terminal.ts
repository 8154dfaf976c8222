// The bot's neutral messages (door.ts) as a terminal shows them: Slack's mrkdwn made plain
// (emoji codes as the characters they stand for, *bold* and _italic_ markers dropped, mentions
// and links readable), and a run's buttons as the words to type instead. Pure.
import type { Controls } from '../app/door.ts'
import { ownValue } from '../util/own.ts'

const EMOJI: Record<string, string> = {
  x: '❌',
  warning: '⚠️',
  white_check_mark: '✅',
  lock: '🔒',
  no_entry_sign: '🚫',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  rocket: '🚀',
  raised_hand: '✋',
  palm_tree: '🌴',
  floppy_disk: '💾',
  crossed_fingers: '🤞',
  sos: '🆘',
  calendar: '📆',
  double_vertical_bar: '⏸️',
}

export const emojiOf = (name: string): string => ownValue(EMOJI, name) ?? `:${name}:`

/** One line of mrkdwn outside code: the markers go, the meaning stays. */
function plainLine(line: string): string {
  return (
    line
      // <https://x|label> → label (https://x); <https://x> → https://x
      .replace(/<((?:https?|mailto):[^|>\s]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1')
      // <@U123> → @U123, <#C123|name> → #name, <!here> → @here
      .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
      .replace(/<#[A-Z0-9]+\|([^>]+)>/g, '#$1')
      .replace(/<!(here|channel|everyone)>/g, '@$1')
      .replace(/:([a-z][a-z0-9_+-]*):/g, (all, name: string) => ownValue(EMOJI, name) ?? all)
      // *bold* and _italic_ around words (not inside them, e.g. snake_case)
      .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,:;!?])/g, '$1$2')
      .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,:;!?])/g, '$1$2')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  )
}

/** Slack's three entities, which it decodes everywhere, code included. */
const decodeEntities = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/**
 * Text as a terminal shows it; code blocks and `inline code` keep their markup as it is, only
 * Slack's entities (`&lt;` for `<`) read as the characters they stand for, as in Slack.
 */
export function terminalText(text: string): string {
  const out: string[] = []
  let inFence = false
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      inFence = !inFence
      out.push(line)
      continue
    }
    if (inFence) {
      out.push(decodeEntities(line))
      continue
    }
    // Inline code stays literal: only the parts between backticks are made plain.
    out.push(
      line
        .split(/(`[^`]*`)/)
        .map((part, i) => (i % 2 ? decodeEntities(part) : plainLine(part)))
        .join(''),
    )
  }
  return out.join('\n')
}

/** A run's buttons as what to type: `(say approve 5 or deny 5)`. */
export function controlsHint(c: Controls): string {
  const verbs = c.buttons.map((b) => `\`${b.action} ${c.runId}\``)
  const said = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} or ${verbs.at(-1)}` : verbs[0]
  return `(${c.caption ? `${terminalText(c.caption)}: ` : ''}say ${said})`
}
