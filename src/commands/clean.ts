// Text clean-up applied to every message before matching, in the order users see it:
// mentions, reminders, links, spacing, trailing punctuation.
import { decodeSlackText } from '../util/slack-text.ts'

export interface CleanOptions {
  /** the bot's Slack user id; text up to and including its first mention is dropped */
  botUserId?: string
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function cleanText(raw: string, opts: CleanOptions = {}): string {
  // A lone surrogate cannot be sent back to Slack (it is not UTF-8): replace it, as Slack would.
  let text = unquoted(raw.toWellFormed())
  if (opts.botUserId) {
    // `<@UBOT>` or `<@UBOT|label>`, the exact id only (not ids that merely start with it).
    const mention = new RegExp(`<@${escapeRe(opts.botUserId)}(?:\\|[^>]*)?>`, 'g')
    const first = text.search(mention)
    if (first >= 0) {
      const m = text.slice(first).match(new RegExp(mention.source))!
      text = text.slice(first + m[0].length)
    }
    text = text.replace(mention, ' ')
  }
  // No program can receive a NUL in an argument: drop it rather than fail when the job starts.
  text = text.replace(/\0/g, '')
  text = text.replace(/^\s*Reminder:\s+/i, '')
  text = unwrapLinks(text)
  // After the markup is read: what is left is what the person typed.
  text = decodeSlackText(text)
  text = text.replace(/\s+/g, ' ').trim()
  text = text.replace(/[.!?,]+$/, '').trim()
  return text
}

/**
 * The text without its quoted lines: a quote (`> @ebmbot op deploy`, which Slack sends as
 * `&gt; …`) repeats what someone else said, and is never a request.
 */
export function unquoted(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*(?:>|&gt;)/.test(line))
    .join('\n')
}

/**
 * What was said before the bot's first mention, outside quotes, with a reminder's `Reminder:`
 * prefix set aside: "please do NOT run @ebmbot op deploy prod yet" gives "please do NOT run".
 * Empty when the message starts with the mention, or does not mention the bot.
 */
export function textBeforeMention(raw: string, botUserId: string): string {
  const text = unquoted(raw)
  const first = text.search(new RegExp(`<@${escapeRe(botUserId)}(?:\\|[^>]*)?>`))
  if (first < 0) return ''
  return text
    .slice(0, first)
    .replace(/^\s*Reminder:\s*/i, '')
    .trim()
}

/** Slack wraps URLs and mail addresses as `<https://x|label>`; users mean the raw value. */
function unwrapLinks(text: string): string {
  return text.replace(/<((?:https?|mailto):[^|>]*)(?:\|[^>]*)?>/gi, (_, target: string) =>
    target.toLowerCase().startsWith('mailto:') ? target.slice('mailto:'.length) : target,
  )
}

/** Splits cleaned text into words; values never hold doubled spaces. */
export function words(text: string): string[] {
  return text.split(' ').filter(Boolean)
}
