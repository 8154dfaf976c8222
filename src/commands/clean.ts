// Text clean-up applied to every message before matching (behaviour §1), in the order users see it:
// mentions, reminders, links, spacing, trailing punctuation.

export interface CleanOptions {
  /** the bot's Slack user id; text up to and including its first mention is dropped */
  botUserId?: string
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function cleanText(raw: string, opts: CleanOptions = {}): string {
  // A lone surrogate cannot be sent back to Slack (it is not UTF-8): replace it, as Slack would.
  let text = raw.toWellFormed()
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
  text = text.replace(/\s+/g, ' ').trim()
  text = text.replace(/[.!?,]+$/, '').trim()
  return text
}

/** Slack wraps URLs and mail addresses as `<https://x|label>`; users mean the raw value. */
export function unwrapLinks(text: string): string {
  return text.replace(/<((?:https?|mailto):[^|>]*)(?:\|[^>]*)?>/gi, (_, target: string) =>
    target.toLowerCase().startsWith('mailto:') ? target.slice('mailto:'.length) : target,
  )
}

/** Splits cleaned text into words; values never hold doubled spaces. */
export function words(text: string): string[] {
  return text.split(' ').filter(Boolean)
}
