// Slack's text encoding. Slack sends `&`, `<` and `>` typed by people as `&amp;`, `&lt;`, `&gt;`
// (bare `<…>` is its own markup: mentions, links, `<!channel>`), and reads text it is sent the
// same way. So text from people is decoded on the way in, and text nobody here wrote (job
// output, payload fields, callback bodies, chat text said back) is escaped on the way out: it
// then shows as typed, and can neither ping a channel nor pass off a link under another label.

export function decodeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Block Kit a job built on purpose keeps its links and formatting, but not broadcasts:
 * `<!channel>`, `<!here>`, `<!everyone>` and user-group pings are shown as words instead.
 */
export function withoutBroadcasts(text: string): string {
  return text.replace(
    /<!(channel|here|everyone|subteam\^[^>|]*)(?:\|([^>]*))?>/gi,
    (_, what: string, label?: string) => `@${label ?? what.replace(/^subteam\^/i, '')}`,
  )
}
