// `/ebmbot <command>` through socket mode. It runs like a mention, with two differences a slash
// command needs: a reply that is all there is to say (help, a usage hint, a refusal, "did you
// mean") goes privately to the person who typed it, as the envelope's response; anything else
// first gets a visible message in the channel ("@ann ran /ebmbot demo hello world") so the run has a
// thread to report in, and is then handled as a message in that thread.
import type { WebClient } from '@slack/web-api'
import { handleMessage } from '../app/handle-message.ts'
import { askerOf, mayRun } from '../commands/access.ts'
import { isAwayCommand } from '../commands/away.ts'
import { cleanText, words } from '../commands/clean.ts'
import { commandText, missingParams } from '../commands/missing-params.ts'
import { checkParams } from '../commands/param-check.ts'
import { route } from '../commands/route.ts'
import { errorText } from '../util/log.ts'
import { slackErrorCode } from './errors.ts'
import { accessFacts, type EventDeps, type Outcome } from './handle-event.ts'
import { paramsModal, readSubmission } from './params-modal.ts'

export interface SlashAnswer {
  outcome: Outcome
  /** the envelope's response payload: a message only the person who typed the command sees */
  response?: { response_type: 'ephemeral'; text: string }
}

const privately = (outcome: Outcome, text: string): SlashAnswer => ({
  outcome,
  response: { response_type: 'ephemeral', text },
})

const str = (v: unknown) => (typeof v === 'string' ? v : '')

export async function handleSlashCommand(
  deps: EventDeps & { web: WebClient },
  payload: Record<string, unknown>,
): Promise<SlashAnswer> {
  const { ctx, botUserId, botName } = deps
  const command = str(payload.command) || '/ebmbot'
  const text = str(payload.text).trim()
  const user = str(payload.user_id)
  const channel = str(payload.channel_id)
  if (!user || !channel) return { outcome: 'ignored' }
  const isDirect = channel.startsWith('D')
  const lower = words(cleanText(text, { botUserId })).map((w) => w.toLowerCase())
  const who = await accessFacts(deps, user, channel, isAwayCommand(lower))
  // Decided here only to see whether it is a reply and nothing more; handleMessage decides again
  // on the same text and facts (only the prefix of the hints it shows can differ).
  const decision = route(
    { config: ctx.config, botUserId },
    { text, user, isDirect: true, channel, ...who },
  )
  if (decision.kind === 'reply') {
    // Typed without its params: ask for them in a form rather than say "I didn't understand".
    const missing = decision.unmatched ? missingParams(ctx.config, text) : undefined
    const trigger = str(payload.trigger_id)
    // Only for someone who may run it: a form that can only end in a refusal helps nobody.
    const verdict = missing
      ? mayRun(
          missing.namespace,
          missing.namespace.jobs[missing.command.job],
          askerOf({ user, channel, ...who }),
        )
      : undefined
    if (verdict && !verdict.ok) return privately('replied', `Sorry, ${verdict.reason}.`)
    if (missing && trigger) {
      try {
        await deps.web.views.open({
          trigger_id: trigger,
          view: paramsModal(missing, { channel, command }),
        })
        return { outcome: 'replied' }
      } catch (e) {
        ctx.log.warn('slack.modal_failed', { error: slackErrorCode(e) ?? errorText(e) })
      }
    }
    return privately('replied', decision.text)
  }

  let ts: string
  try {
    // Shown as typed, but never as a mention or a link: Slack's three control characters are
    // escaped, and a backquote would end the code span.
    const shown = text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/`/g, "'")
    const posted = await deps.web.chat.postMessage({
      channel,
      text: `<@${user}> ran \`${command} ${shown}\``,
    })
    ts = posted.ts!
  } catch (e) {
    const code = slackErrorCode(e) ?? errorText(e)
    ctx.log.warn('slack.slash_post_failed', { channel, error: code })
    return privately(
      'failed',
      code === 'not_in_channel' || code === 'channel_not_found'
        ? `I cannot post in this channel, so the run would have nowhere to report. Invite me (\`/invite @${botName ?? 'ebmbot'}\`), or send me the command in a DM.`
        : `Sorry, I could not post here (${code}); nothing was run. Please try again.`,
    )
  }
  const res = await handleMessage(
    ctx,
    {
      door: 'slack',
      text,
      user,
      isDirect,
      channel,
      threadTs: ts,
      messageTs: ts,
      ...who,
    },
    { botUserId, botName },
    { claim: (q) => q.markSeen(ctx.now(), 'slack-message', `${channel}:${ts}`) },
  )
  if (res.kind === 'duplicate') return { outcome: 'duplicate' }
  return { outcome: res.accepted ? 'queued' : 'replied' }
}

/**
 * The params form submitted: values that do not fit are sent back as errors under their inputs
 * (the form stays open); values that fit run the command as if it had been typed in full.
 */
export async function handleParamsSubmission(
  deps: EventDeps & { web: WebClient },
  payload: Record<string, unknown>,
): Promise<{ outcome: string; response?: Record<string, unknown> }> {
  const sub = readSubmission(payload)
  if (!sub) return { outcome: 'ignored' }
  const ns = deps.ctx.config.namespaces[sub.namespace]
  const cmd = ns?.commands.find((c) => c.pattern === sub.pattern)
  if (!ns || !cmd)
    return {
      outcome: 'replied',
      response: {
        response_action: 'errors',
        errors: {
          [Object.keys(sub.values).map((k) => `param_${k}`)[0] ?? 'param_']:
            'This command is no longer in the configuration.',
        },
      },
    }
  const checked = checkParams(sub.values, cmd.params)
  if (!checked.ok)
    return {
      outcome: 'replied',
      response: {
        response_action: 'errors',
        errors: { [`param_${checked.param}`]: checked.reason },
      },
    }
  const text = commandText(
    { namespace: ns, command: cmd, params: Object.keys(sub.values) },
    checked.params,
  )
  const r = await handleSlashCommand(deps, {
    command: sub.command,
    text,
    user_id: sub.user,
    channel_id: sub.channel,
  })
  // The form closes; a private answer (a refusal) is shown to the person in the channel.
  if (r.response) {
    const answer = { channel: sub.channel, user: sub.user, text: r.response.text }
    try {
      await deps.web.chat.postEphemeral(answer)
    } catch (e) {
      deps.ctx.log.warn('slack.ephemeral_failed', { error: slackErrorCode(e) ?? errorText(e) })
    }
  }
  return { outcome: r.outcome }
}
