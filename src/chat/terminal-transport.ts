// Delivers outgoing messages to a terminal: what Slack would show, as plain lines.
import type { Transport } from '../notify/deliver.ts'
import type { Outgoing } from '../notify/outgoing.ts'
import { decodeSlackText } from '../util/slack-text.ts'

export function terminalTransport(write: (text: string) => void): Transport {
  return {
    async deliver(msg: Outgoing) {
      if (msg.kind === 'update') return null // a terminal cannot edit what it printed; the result follows
      if (msg.kind === 'reaction') {
        write(`(:${msg.name}: accepted${msg.label ? `: ${msg.label}` : ''})`)
        return null
      }
      const where =
        msg.purpose === 'notice' ? '[logs] ' : msg.purpose === 'escalation' ? '[tech-support] ' : ''
      // Messages are in Slack's encoding (`&lt;` for `<`): a terminal shows them as Slack would.
      const parts = [`${where}${decodeSlackText(msg.text)}`]
      if (msg.file) parts.push(filePreview(msg.file.filename, msg.file.content))
      write(parts.join('\n'))
      return null
    },
  }
}

/** A terminal shows the head of an "uploaded" file; the whole output stays in the run's logs. */
function filePreview(name: string, content: string, lines = 10): string {
  const all = content.trimEnd().split('\n')
  const more =
    all.length > lines
      ? `\n… ${all.length - lines} more lines (${content.length} characters in all)`
      : ''
  return `--- ${name} ---\n${all.slice(0, lines).join('\n')}${more}\n--- end of ${name} ---`
}
