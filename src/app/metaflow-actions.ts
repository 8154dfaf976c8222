// Carrying out the Metaflow verbs: finds the thread's state, calls the verb, and turns Metaflow's
// failures (service down, not found, out of reach) into plain replies. Nothing here reaches chat
// unredacted, and no stack trace reaches it at all.
import type { MetaflowVerb } from '../commands/metaflow-verbs.ts'
import {
  MetaflowNotFoundError,
  MetaflowServiceError,
  MetaflowUnavailableError,
} from '../metaflow/errors.ts'
import { redact } from '../util/redact.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { errorText } from '../util/log.ts'
import type { AppContext } from './context.ts'
import type { MessageIn } from './door.ts'
import { readVerb } from './metaflow-read.ts'
import { immediateVerb, watchVerb, type ImmediateVerb } from './metaflow-start.ts'
import type { ActionResult } from './run-actions.ts'
import { threadKeyOf, type MetaflowCall } from './metaflow-call.ts'

/** The thread lookup handle-message does next to the run-thread one. */
export async function metaflowThreadOf(
  ctx: AppContext,
  msg: MessageIn,
): Promise<MetaflowThread | undefined> {
  if (!ctx.config.metaflow) return undefined
  const key = threadKeyOf(msg)
  return await ctx.queue.getThread(key.channel, key.threadTs)
}

export async function metaflowAction(
  ctx: AppContext,
  msg: MessageIn,
  verb: MetaflowVerb,
  where: { cleaned: string; thread: MetaflowThread | undefined; threadRunId: number | undefined },
): Promise<ActionResult> {
  const res = await carryOut({ ctx, msg, ...where }, verb).catch((e: unknown) => ({
    said: [{ text: failureText(ctx, verb, e) }],
  }))
  // Defence in depth: replies quote Metaflow's own texts (error details, log lines, values).
  for (const s of res.said) s.text = redact(s.text, ctx.reports.secrets)
  return res
}

/**
 * The verbs that change state and read nothing from Metaflow (`run`, `rerun`, `cancel`, `quiet`,
 * and plain replies): only the database, so a caller may carry them out inside the unit of work
 * that stores the request's replies. Null for the verbs that must read Metaflow first.
 */
export async function metaflowImmediate(
  ctx: AppContext,
  msg: MessageIn,
  verb: MetaflowVerb,
  where: { cleaned: string; thread: MetaflowThread | undefined; threadRunId: number | undefined },
): Promise<ActionResult | null> {
  if (!isImmediate(verb)) return null
  if (verb.kind === 'reply') return { said: [{ text: redact(verb.text, ctx.reports.secrets) }] }
  if (!ctx.metaflow) return { said: [{ text: 'Metaflow is not set up for this bot.' }] }
  const res = await immediateVerb({ ctx, msg, ...where }, verb)
  for (const s of res.said) s.text = redact(s.text, ctx.reports.secrets)
  return res
}

/** Whether metaflowImmediate carries this verb out (no Metaflow read needed). */
export const isImmediate = (
  v: MetaflowVerb,
): v is ImmediateVerb | Extract<MetaflowVerb, { kind: 'reply' }> =>
  v.kind === 'run' ||
  v.kind === 'rerun' ||
  v.kind === 'cancel' ||
  v.kind === 'quiet' ||
  v.kind === 'reply'

async function carryOut(call: MetaflowCall, verb: MetaflowVerb): Promise<ActionResult> {
  if (verb.kind === 'reply') return { said: [{ text: verb.text }] }
  if (!call.ctx.metaflow) return { said: [{ text: 'Metaflow is not set up for this bot.' }] }
  if (isImmediate(verb)) return immediateVerb(call, verb)
  if (verb.kind === 'watch') return watchVerb(call)
  return readVerb(call, verb)
}

function failureText(ctx: AppContext, verb: MetaflowVerb, e: unknown): string {
  if (e instanceof MetaflowServiceError) {
    ctx.log.warn('metaflow.service_error', {
      verb: verb.kind,
      kind: e.kind,
      status: e.status,
      error: e.message,
    })
    return `:warning: I could not get an answer from Metaflow: ${sentence(e.message)} Try again in a little while.`
  }
  if (e instanceof MetaflowNotFoundError) return `Metaflow has no ${e.what}.`
  if (e instanceof MetaflowUnavailableError) return `I cannot read that: ${e.message}.`
  ctx.log.error('metaflow.action_failed', { verb: verb.kind, error: errorText(e) })
  return "Sorry, something went wrong while reading Metaflow; the details are in the bot's log."
}

/** Ends a quoted message with one full stop: `…access the url?` stays as it is. */
const sentence = (text: string) => (/[.?!]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)
