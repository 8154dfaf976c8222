// Where a run's callback URL comes from. The signing key is EBMBOT_WEBHOOK_SECRET, else a random
// key made once per bot process and kept beside its context, so the dispatcher (which hands the
// URL out) and the web server (which checks it) agree without the key ever being written down.
import { randomBytes } from 'node:crypto'
import type { AppContext } from '../app/context.ts'
import type { Job } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { callbackExpiry, signCallbackToken } from './callback-token.ts'

const receivers = new WeakMap<AppContext, { key: string }>()

/** Marks this context as having a callback receiver (the web app); returns the signing key. */
export function enableCallbacks(ctx: AppContext): string {
  let r = receivers.get(ctx)
  if (!r)
    receivers.set(
      ctx,
      (r = { key: ctx.env.webhook.callbackSecret ?? randomBytes(32).toString('base64url') }),
    )
  return r.key
}

const callbackPath = (runId: number, token: string) => `/callbacks/${runId}/${token}`

/**
 * `EBMBOT_CALLBACK_URL` for an opted-in job's environment; nothing for other jobs, or when this
 * process serves no callbacks (local chat), so a job is never handed a URL nobody answers.
 */
export function callbackEnv(ctx: AppContext, run: Run, job: Job): Record<string, string> {
  const r = receivers.get(ctx)
  const origin = ctx.env.webhook.origin
  if (!job.callback || !r || !origin) return {}
  const token = signCallbackToken(
    r.key,
    run.id,
    callbackExpiry(run.startedAt ?? ctx.now(), job.timeoutSeconds),
  )
  return { EBMBOT_CALLBACK_URL: `${origin.replace(/\/+$/, '')}${callbackPath(run.id, token)}` }
}
