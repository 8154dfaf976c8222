// Whether a message carries a support keyword. Pure; shared by the Slack door,
// which reposts such messages, and the config rules, which refuse commands no one could run.

// A keyword inside a link does not count: Slack's wrapped links `<https://x/tech-support|label>`
// (label included: it is link text) and bare `scheme://…` runs.
const LINKS = /<(?:https?|mailto|ftp):[^>]*>|\b[a-z][a-z0-9+.-]*:\/\/\S+/gi
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A separate word in any case: not preceded by a letter, digit, underscore, hyphen or slash, nor
 * followed by a letter, digit, underscore or hyphen. So `@tech-support`, `#tech-support`, the word
 * in backticks and `help - tech-support` count; `tech support`, `my-tech-support`,
 * `tech-support-bot` and `https://x/tech-support` do not.
 */
export function hasKeyword(text: string, keyword: string): boolean {
  const word = new RegExp(`(?<![\\p{L}\\p{N}_/-])${escapeRe(keyword)}(?![\\p{L}\\p{N}_-])`, 'iu')
  return word.test(text.replace(LINKS, ' '))
}
