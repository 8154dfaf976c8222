// Delivers outgoing messages to a terminal: what Slack would show, as plain lines (see
// render-terminal.ts), a run's buttons as the verbs to type.
import type { Transport } from '../notify/deliver.ts'
import type { Outgoing } from '../app/door.ts'
import { controlsHint, emojiOf, terminalText } from './render-terminal.ts'

export function terminalTransport(write: (text: string) => void): Transport {
  return {
    async deliver(msg: Outgoing) {
      if (msg.kind === 'update') return null // a terminal cannot edit what it printed; the result follows
      if (msg.kind === 'reaction') {
        write(`(${emojiOf(msg.name)} accepted${msg.label ? `: ${msg.label}` : ''})`)
        return null
      }
      const where =
        msg.purpose === 'notice' ? '[logs] ' : msg.purpose === 'escalation' ? '[tech-support] ' : ''
      const text = terminalText(msg.text)
      const parts = [`${where}${text}`]
      // Verbs the text already names (an approval prompt says `approve 5`) are not repeated.
      const c = msg.controls
      if (c && !c.buttons.every((b) => text.includes(`${b.action} ${c.runId}`)))
        parts.push(controlsHint(c))
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
