// The command router shared by every front door: cleaned text in, a decision out. Pure: the
// caller carries the decision out against the queue and sends the replies.
import type { Command, Config, Job, Namespace } from '../config/types.ts'
import { askerOf, mayRun } from './access.ts'
import { awayHelpLine, parseAwayCommand, type AwayDecision } from './away.ts'
import { cleanText, textBeforeMention, words as splitWords } from './clean.ts'
import { generalHelp, namespaceHelp, unknownNamespace } from './help.ts'
import { parseMetaflowVerb, type MetaflowDecision } from './metaflow-verbs.ts'
import { checkParams } from './param-check.ts'
import { matchTokens, paramNames, precedence } from '../syntax/pattern.ts'
import { parseRunVerb, type RunVerb } from './run-verbs.ts'
import { suggestCommands } from './suggest.ts'
import { parseScheduleVerb, type ScheduleDecision } from './schedule-verbs.ts'
import { escapeSlackText } from '../util/slack-text.ts'

export interface Incoming {
  /** the text as the transport delivered it */
  text: string
  user: string
  /** Slack guest (restricted or ultra-restricted); local chat users never are */
  isGuest: boolean
  /** lookups about the user Slack did not answer (see Asker) */
  guestUnknown?: boolean
  groupsUnknown?: readonly string[]
  /** a DM or local chat: help hints carry no `@bot` prefix */
  isDirect: boolean
  /** when the message is in a run's thread, that run: its verbs then need no number */
  threadRun?: number
  /** when the thread inspects a Metaflow run: its pathspec (`Flow/id`, or `Flow` until the id is known) */
  threadMetaflow?: string
  /** for access rules: where it was said, and the user's Slack user groups */
  channel?: string
  channelName?: string
  groups?: readonly string[]
  /** the local terminal operator: allow lists do not apply */
  trusted?: boolean
}

export interface RouterContext {
  config: Config
  botUserId?: string
  /** shown in hints after a mention: `@ebmbot status` */
  botName?: string
}

export type Decision =
  /** `unmatched`: the text matched no command (the reply says so and suggests some) */
  | { kind: 'reply'; text: string; unmatched?: true }
  | { kind: 'status' }
  | { kind: 'remove'; id: number }
  | Exclude<RunVerb, { kind: 'usage' }>
  | {
      kind: 'schedule'
      job: Job
      command: Command
      params: Record<string, string>
      delaySeconds: number
    }
  | { kind: 'cancel_job'; job: Job; command: Command }
  | { kind: 'suppress'; job: Job; command: Command; start: string; end: string }
  | { kind: 'cancel_suppression'; job: Job; command: Command }
  | MetaflowDecision
  | AwayDecision
  | ScheduleDecision

/** The decision plus the cleaned text it was made on (recorded with requests, shown by explain). */
export function route(ctx: RouterContext, msg: Incoming): Decision & { cleaned: string } {
  const cleaned = cleanText(msg.text, { botUserId: ctx.botUserId })
  const before = ctx.botUserId ? textBeforeMention(msg.text, ctx.botUserId) : ''
  // "please do NOT run @ebmbot op deploy prod yet" mentions the bot without asking it anything.
  if (before && !ctx.config.settings.commands_after_text)
    return { kind: 'reply', text: askFirst(ctx, cleaned), cleaned }
  return { ...decide(ctx, msg, cleaned), cleaned }
}

function decide(ctx: RouterContext, msg: Incoming, text: string): Decision {
  const { config } = ctx
  const ws = splitWords(text)
  const lower = ws.map((w) => w.toLowerCase())
  const prefix = msg.isDirect || !ctx.botName ? '' : `@${ctx.botName} `
  const asker = askerOf(msg)
  // Help shows what this user may run here; restricted namespaces stay listed (marked) for guests.
  const visible = (ns: Namespace, job?: Job) => mayRun(ns, job, { ...asker, isGuest: false }).ok
  // Out-of-office dates only mean something where messages are reposted to tech-support.
  const away = config.settings.support_routes.length ? `\n${awayHelpLine(prefix)}` : ''
  const help = () => `${generalHelp({ config, prefix, visible })}${away}`

  // Built-ins first, so no namespace can shadow them.
  const awayCommand = parseAwayCommand(lower, msg, prefix)
  if (awayCommand) return awayCommand
  const scheduleVerb = parseScheduleVerb(config, lower, asker, prefix)
  if (scheduleVerb) return scheduleVerb
  const verb = parseRunVerb(lower, msg.threadRun)
  const metaflow = parseMetaflowVerb(config, msg, ws, verb)
  if (metaflow) return metaflow
  if (verb) return verb.kind === 'usage' ? { kind: 'reply', text: verb.text } : verb
  if (lower.length === 1 && lower[0] === 'status') return { kind: 'status' }
  if (lower[0] === 'remove' && lower[1] === 'job' && lower[2] === 'id') {
    const id = ws[3]
    if (lower.length === 4 && id && /^\d+$/.test(id)) return { kind: 'remove', id: Number(id) }
    return {
      kind: 'reply',
      text: `Usage: \`${prefix}remove job id [id]\`, with the job number that \`${prefix}status\` shows.`,
    }
  }
  if (lower.length === 1 && lower[0] === 'help') return { kind: 'reply', text: help() }
  if (lower.length === 2 && (lower[0] === 'help' || lower[1] === 'help')) {
    const name = lower[0] === 'help' ? ws[1]! : ws[0]!
    const ns = findNamespace(config, name)
    return {
      kind: 'reply',
      text:
        ns && visible(ns)
          ? namespaceHelp(ns, (c) => visible(ns, ns.jobs[c.job]))
          : unknownNamespace(config, name, visible),
    }
  }

  const ns = lower.length ? findNamespace(config, ws[0]!) : undefined
  if (ns) {
    const rest = ws.slice(1)
    const match = bestMatch(ns.commands, rest)
    if (match) {
      const { command, params } = match
      const job = ns.jobs[command.job]!
      const verdict = mayRun(ns, job, asker)
      if (!verdict.ok) return { kind: 'reply', text: `Sorry, ${verdict.reason}.` }
      switch (command.action) {
        case 'schedule_job': {
          const checked = checkParams(params, command.params)
          if (!checked.ok)
            return {
              kind: 'reply',
              text: `Sorry, ${checked.reason} Usage: \`${prefix}${ns.name} ${command.pattern}\`${command.help ? ` (${command.help})` : ''}.`,
            }
          return {
            kind: 'schedule',
            job,
            command,
            params: checked.params,
            delaySeconds: command.delaySeconds,
          }
        }
        case 'cancel_job':
          return { kind: 'cancel_job', job, command }
        case 'schedule_suppression': {
          const [start, end] = paramNames(command.tokens).map((n) => params[n]!)
          return { kind: 'suppress', job, command, start: start!, end: end! }
        }
        case 'cancel_suppression':
          return { kind: 'cancel_suppression', job, command }
      }
    }
  }
  return {
    kind: 'reply',
    text: notUnderstood(ctx, text, ws, help(), (n, c) => visible(n, n.jobs[c.job])),
    unmatched: true,
  }
}

function askFirst(ctx: RouterContext, cleaned: string): string {
  const at = `@${ctx.botName ?? 'ebmbot'}`
  const said = escapeSlackText(
    cleaned.length > 200 ? `${Array.from(cleaned).slice(0, 200).join('')}…` : cleaned,
  )
  return `I only act on messages that start with \`${at}\`, and this one had words before it, so I did nothing. To ask me, start a message with the mention${said ? `: \`${at} ${said}\`` : ''}.`
}

/** The matching command that takes precedence over every other match (load refuses ties). */
function bestMatch(commands: Command[], words: string[]) {
  let best: { command: Command; params: Record<string, string> } | undefined
  for (const command of commands) {
    const params = matchTokens(command.tokens, words)
    if (params && (!best || precedence(command.tokens, best.command.tokens) < 0))
      best = { command, params }
  }
  return best
}

function findNamespace(config: Config, word: string) {
  const key = Object.keys(config.namespaces).find((n) => n.toLowerCase() === word.toLowerCase())
  return key ? config.namespaces[key] : undefined
}

function notUnderstood(
  ctx: RouterContext,
  text: string,
  ws: string[],
  help: string,
  visible: (ns: Namespace, c: Command) => boolean,
): string {
  const close = suggestCommands(ctx.config, ws, 3, visible)
  // Quote at most the start of what was typed: the reply must stay a readable message however long the text.
  const quoted = escapeSlackText(
    text.length > 200 ? `${Array.from(text).slice(0, 200).join('')}…` : text,
  )
  const head = text
    ? `Sorry, I didn't understand \`${quoted}\`.`
    : "Sorry, I didn't catch a command there."
  const ns = ws[0] ? findNamespace(ctx.config, ws[0]) : undefined
  const hint = close.length
    ? `\nDid you mean: ${close.map((c) => `\`${c}\``).join(', ')}?`
    : ns
      ? `\n\`${ns.name} help\` lists the \`${ns.name}\` commands.`
      : ''
  return `${head}${hint}\n\n${help}`
}
