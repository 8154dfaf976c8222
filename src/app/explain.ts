// `ebmbot explain "<text>"`: what a message would do, down to the exact shell command, run nowhere.
import { route } from '../commands/route.ts'
import { renderCommand } from '../syntax/template.ts'
import type { Config } from '../config/types.ts'
import { explainMetaflow } from './explain-metaflow.ts'
import { scheduleSummary } from './schedule-summary.ts'

/** The explanation, and whether the text matched anything (`ebmbot explain` exits 1 when not). */
export function explain(
  config: Config,
  text: string,
  now = Date.now(),
): { text: string; matched: boolean } {
  const d = route({ config }, { text, user: 'explain', isGuest: false, isDirect: true })
  const lines = [`text:      ${d.cleaned || '(empty after clean-up)'}`]
  switch (d.kind) {
    case 'schedule':
      lines.push(
        `namespace: ${d.job.namespace}`,
        `command:   ${d.job.namespace} ${d.command.pattern}`,
        `action:    schedule job ${d.job.type}${d.delaySeconds ? ` after ${d.delaySeconds}s` : ''}`,
        `params:    ${
          Object.keys(d.params).length
            ? Object.entries(d.params)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(' ')
            : '(none)'
        }`,
        `timeout:   ${d.job.timeoutSeconds}s`,
        `runs:      bash -c ${JSON.stringify(renderCommand(d.job.run, d.params))}`,
        `shell:     ${renderCommand(d.job.run, d.params)}`,
      )
      if (d.command.schedule) lines.push(...scheduleSummary(d.command.schedule, now, 'schedule:  '))
      break
    case 'cancel_job':
    case 'cancel_suppression':
      lines.push(
        `namespace: ${d.job.namespace}`,
        `command:   ${d.job.namespace} ${d.command.pattern}`,
        `action:    ${d.kind.replace('_', ' ')} ${d.job.type}`,
      )
      break
    case 'suppress':
      lines.push(
        `namespace: ${d.job.namespace}`,
        `command:   ${d.job.namespace} ${d.command.pattern}`,
        `action:    suppress ${d.job.type} from ${d.start} to ${d.end} (UTC, today)`,
      )
      break
    case 'reply':
      lines.push('action:    reply (nothing is queued)', '', d.text)
      break
    case 'metaflow':
      lines.push(...explainMetaflow(config, d.verb))
      break
    default:
      lines.push(`action:    ${d.kind}${'id' in d ? ` ${d.id}` : ''} (built-in)`)
  }
  return { text: lines.join('\n'), matched: !(d.kind === 'reply' && d.unmatched) }
}
