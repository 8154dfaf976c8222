// Help texts: the namespace list, one namespace's commands, and the unknown-namespace reply.
import { type Command, type Config, type Namespace, schedulesOf } from '../config/types.ts'
import { patternText } from '../syntax/pattern.ts'

export interface HelpContext {
  config: Config
  /** `@ebmbot ` after a mention in a channel; empty in DMs and local chat */
  prefix: string
  /** whether the asker may see (run something in) a namespace here */
  visible?: (ns: Namespace) => boolean
}

export function generalHelp({ config, prefix, visible = () => true }: HelpContext): string {
  const names = Object.keys(config.namespaces)
    .filter((n) => visible(config.namespaces[n]!))
    .sort()
  const lines = names.map((n) => {
    const ns = config.namespaces[n]!
    return `${ns.restricted ? ':lock: ' : ''}\`${n}\`${ns.description ? `: ${ns.description}` : ''}`
  })
  const example = names[0] ?? 'demo'
  return [
    'I run jobs for this team. Namespaces:',
    ...(lines.length ? lines : ['(none configured)']),
    '',
    `\`${prefix}status\`: what is running, scheduled, waiting for approval and suppressed`,
    `\`${prefix}history\`: recent runs, newest first (\`${prefix}history failed\`, \`${prefix}history ${example}\`)`,
    `\`${prefix}status N\`, \`${prefix}logs N\`, \`${prefix}rerun N\`, \`${prefix}cancel N\`: one run by its number (in a run's thread, without the number)`,
    `\`${prefix}approve N\`, \`${prefix}deny N\`: answer a run that waits for approval`,
    `\`${prefix}remove job id [id]\`: drop a scheduled job, or stop a running one`,
    ...(schedulesOf(config).length
      ? [
          `\`${prefix}schedules\`: the jobs that run by themselves, their next times and last runs; \`${prefix}skip next\`, \`${prefix}pause\`, \`${prefix}resume\` one (\`${prefix}pause [namespace] [schedule]\`)`,
        ]
      : []),
    `For a namespace's commands, say \`${prefix}[namespace] help\`, e.g. \`${prefix}${example} help\`.`,
  ].join('\n')
}

export function namespaceHelp(
  ns: Namespace,
  visible: (c: Command) => boolean = () => true,
): string {
  const lines = [`Commands in \`${ns.name}\`${ns.description ? ` (${ns.description})` : ''}:`]
  if (ns.restricted)
    lines.push(':lock: Only internal members of this workspace may use these commands.')
  const cmds = ns.commands
    .filter(visible)
    .sort((a, b) => patternText(a.tokens).localeCompare(patternText(b.tokens)))
  for (const c of cmds)
    lines.push(`\`${ns.name} ${patternText(c.tokens)}\`${c.help ? `: ${c.help}` : ''}`)
  if (!cmds.length) lines.push('(no commands yet)')
  return lines.join('\n')
}

export function unknownNamespace(
  config: Config,
  name: string,
  visible: (ns: Namespace) => boolean = () => true,
): string {
  const names = Object.keys(config.namespaces)
    .filter((n) => visible(config.namespaces[n]!))
    .sort()
    .map((n) => `\`${n}\``)
  return `There is no namespace called \`${name}\`. The namespaces are: ${names.join(', ') || '(none)'}.`
}
