// POST /callbacks/<run>/<token>: a running job posts text into its run's reply spot.
// Checks in order: token missing or malformed 400; bad signature, expired, unknown or finished run
// 403; empty or unusable body 400. Nothing is posted on any error.
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { replyDoor, type AppContext } from '../app/context.ts'
import { findJob } from '../config/types.ts'
import { jobSecrets } from '../config/job-secrets.ts'
import { MESSAGE_LIMIT, type MessageOut } from '../app/door.ts'
import { redact } from '../util/redact.ts'
import type { Run } from '../queue/schema.ts'
import { readLimited } from './body-limit.ts'
import { verifyCallbackToken } from '../dispatcher/callback-token.ts'
import { utf8 } from './verify-signature.ts'
import type { WebEnv } from './web-env.ts'
import { escapeSlackText } from '../util/slack-text.ts'

/** Progress notes, not logs: a message's worth of text, with room for a file-sized one. */
const CALLBACK_BODY_LIMIT = 256 * 1024

export function callbackRoutes(ctx: AppContext, key: string): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  const answer = (
    c: Context<WebEnv>,
    status: ContentfulStatusCode,
    outcome: string,
    reason?: string,
  ) => {
    c.set('outcome', outcome)
    if (reason) c.set('logFields', { ...c.get('logFields'), reason })
    return c.json({ outcome, ...(reason ? { reason } : {}) }, status)
  }

  app.post('/:run', (c) => answer(c, 400, 'bad_token', 'the callback token is missing'))
  app.post('/:run/:token', async (c) => {
    const runParam = c.req.param('run')
    const runId = /^\d{1,12}$/.test(runParam) ? Number(runParam) : NaN
    const check = verifyCallbackToken(
      key,
      runId,
      Number.isNaN(runId) ? undefined : c.req.param('token'),
      ctx.now(),
    )
    c.set('logFields', { run: runParam.slice(0, 20) })
    if (!check.ok)
      return answer(
        c,
        check.status,
        check.status === 400 ? 'bad_token' : 'forbidden',
        `token ${check.problem.replace('_', ' ')}`,
      )
    const run = await ctx.queue.getRun(runId)
    // A valid token for a run that is gone or over is still refused: posts belong to live runs.
    if (!run) return answer(c, 403, 'forbidden', 'no such run')
    if (run.state !== 'running') return answer(c, 403, 'forbidden', `run ${run.id} is ${run.state}`)
    const body = await readLimited(c.req.raw, CALLBACK_BODY_LIMIT, c.get('bodyLease'))
    if (body === 'busy') {
      c.header('Retry-After', '5')
      return answer(c, 503, 'busy', 'too many request bodies in flight')
    }
    if (!body) return answer(c, 413, 'too_large', `body over ${CALLBACK_BODY_LIMIT} bytes`)
    const text = messageText(body, c.req.header('content-type'))
    if (!text)
      return answer(c, 400, 'bad_body', 'send the text as the body, or JSON {"message": "..."}')
    const job = findJob(ctx.config, run.jobType)
    const secrets = [
      ...ctx.reports.secrets,
      ...(job ? jobSecrets(job, ctx.env.vars) : []),
      ...projectSecrets(ctx),
    ]
    const now = ctx.now()
    await ctx.queue.enqueueOutgoing(
      now,
      replyDoor(ctx, run),
      [callbackMessage(run, redact(text, secrets))],
      run.id,
    )
    ctx.wake.outbox.notify()
    ctx.log.info('callback.posted', { run: run.id, job: run.jobType, chars: text.length })
    return answer(c, 200, 'posted')
  })
  return app
}

/** The text of a callback body: plain text, or a JSON object's string `message`. */
function messageText(body: Uint8Array, contentType: string | undefined): string | null {
  const raw = utf8(body)
  if (!raw) return null
  let text = raw
  if (/^application\/json\b/i.test(contentType ?? '')) {
    try {
      const v: unknown = JSON.parse(raw)
      const m = v && typeof v === 'object' ? (v as { message?: unknown }).message : undefined
      if (typeof m !== 'string') return null
      text = m
    } catch {
      return null
    }
  }
  return text.trim() ? text.trimEnd() : null
}

function callbackMessage(run: Run, text: string): MessageOut {
  const spot = {
    kind: 'message' as const,
    purpose: 'reply' as const,
    channel: run.channel,
    threadTs: run.threadTs,
  }
  return escapeSlackText(text).length <= MESSAGE_LIMIT
    ? { ...spot, text: escapeSlackText(text) }
    : {
        ...spot,
        text: `Message from \`${run.jobType}\` (run ${run.id}), long, as a file:`,
        file: { filename: `${run.jobType}-${run.id}-message.txt`, content: text },
      }
}

/** Per-project GitHub secrets live in variables of the config's choosing; mask them too. */
const projectSecrets = (ctx: AppContext) =>
  Object.values(ctx.config.github?.projects ?? {})
    .map((p) => (p.secretEnv ? ctx.env.vars[p.secretEnv] : undefined))
    .filter((v): v is string => !!v && v.length >= 4)
