// POST /github/<project>: GitHub deliveries, checked in this order (project, size,
// signature, redelivery, JSON, ping, triggers). Only local SQLite work happens in the request,
// so the answer comes well inside GitHub's 10 seconds; the dispatcher and outbox do the rest.
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppContext } from '../app/context.ts'
import { errorText } from '../util/log.ts'
import { bodyLimit } from './body-limit.ts'
import { deliveryRun, scheduleDelivery } from './github-schedule.ts'
import { matchTriggers } from './triggers.ts'
import { utf8, verifySignature } from './verify-signature.ts'
import type { WebEnv } from './web-env.ts'

/** Label for unknown projects, so URL scans cannot grow the metrics without bound. */
const UNKNOWN = '(unknown)'
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/
const LOGIN = /^[A-Za-z0-9-]{1,39}(\[bot\])?$/

export function githubRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  /** Every answer goes through here: one outcome word for the access log and the metrics. */
  const answer = (
    c: Context<WebEnv>,
    status: ContentfulStatusCode,
    outcome: string,
    body: Record<string, unknown> = {},
  ) => {
    c.set('outcome', outcome)
    // Refusal reasons help whoever reads the log; they hold no secrets and, for 4xx, no payload values.
    if (status >= 400 && typeof body.reason === 'string')
      c.set('logFields', { ...c.get('logFields'), reason: body.reason })
    ctx.metrics.webhookRequests.inc({ project: c.get('project')?.name ?? UNKNOWN, outcome })
    return c.json({ outcome, ...body }, status)
  }

  const handlers = [
    // 1. Unknown project: 404, before reading a byte of the body.
    async (c: Context<WebEnv>, next: () => Promise<void>) => {
      // Own keys only: `/github/constructor` must not find Object.prototype's.
      const projects = ctx.config.github?.projects ?? {}
      const name = c.req.param('project') ?? ''
      const project = Object.hasOwn(projects, name) ? projects[name] : undefined
      if (!project) return answer(c, 404, 'unknown_project', { reason: 'no such project' })
      c.set('project', project)
      await next()
    },
    // 2. Too large: 413 on Content-Length, or as soon as a streamed body passes the limit.
    bodyLimit({
      maxBytes: (c) => c.get('project').bodyLimit,
      onTooLarge: (c, max) => answer(c, 413, 'too_large', { reason: `body over ${max} bytes` }),
      onBusy: (c) => {
        // GitHub does not retry on its own; a redelivery from its page, or the next event, will.
        c.header('Retry-After', '5')
        return answer(c, 503, 'busy', { reason: 'too many request bodies in flight' })
      },
    }),
    async (c: Context<WebEnv>) => {
      const project = c.get('project')
      const body = c.get('rawBody')
      // 3. Signature over the raw bytes; a refusal records nothing, so a later redelivery counts.
      const secret = project.secretEnv
        ? ctx.env.vars[project.secretEnv]
        : ctx.env.webhook.githubSecret
      const sig = verifySignature({
        secret,
        body,
        headers: c.req.raw.headers,
        allowSha1: project.allowSha1,
      })
      if (!sig.ok) {
        if (sig.problem === 'no_secret')
          ctx.log.warn('github.no_secret', {
            project: project.name,
            variable: project.secretEnv ?? 'GITHUB_WEBHOOK_SECRET',
          })
        return answer(c, 401, 'unauthorized', {
          reason: sig.problem === 'no_secret' ? 'no secret configured' : `signature ${sig.problem}`,
        })
      }
      const delivery = c.req.header('x-github-delivery') ?? ''
      const event = c.req.header('x-github-event') ?? ''
      if (!DELIVERY_ID.test(delivery) || !/^[a-z_]{1,64}$/.test(event)) {
        return answer(c, 400, 'bad_request', {
          reason: 'X-GitHub-Delivery and X-GitHub-Event are required',
        })
      }
      c.set('logFields', { delivery, github_event: event })
      // 4. A delivery that already queued its requests: say so, queue nothing.
      const prior = await deliveryRun(ctx.queue, delivery)
      if (prior)
        return answer(c, 200, 'duplicate', {
          reason: 'delivery already processed',
          run: prior.runId,
        })
      // 5. Not JSON (e.g. the hook's content type is form-encoded): 400.
      const payload = parseObject(body)
      if (!payload)
        return answer(c, 400, 'bad_json', {
          reason: 'body is not a JSON object (set the content type to application/json)',
        })
      // 6. GitHub's hello when the hook is created.
      if (event === 'ping') return answer(c, 200, 'ping', { reason: 'pong' })
      // 7. Triggers.
      const result = matchTriggers(project, event, payload)
      if (result.kind === 'no_match') return answer(c, 202, 'ignored', { reason: result.reason })
      if (result.kind === 'bad_param') {
        ctx.log.warn('github.bad_param', { project: project.name, delivery, reason: result.reason })
        return answer(c, 422, 'refused', { reason: result.reason })
      }
      // 8. Queue, with the delivery id, in one unit of work.
      const login = (payload.sender as { login?: unknown } | undefined)?.login
      const action =
        typeof payload.action === 'string' && /^[a-z_]{1,64}$/.test(payload.action)
          ? payload.action
          : undefined
      const requester = `github:${typeof login === 'string' && LOGIN.test(login) ? login : 'unknown'}`
      let scheduled: Awaited<ReturnType<typeof scheduleDelivery>>
      try {
        scheduled = await scheduleDelivery(
          ctx,
          {
            project: project.name,
            id: delivery,
            bodyDigest: bodyDigest(project.name, body),
            replayWindowMs: project.replayWindowMs,
            event,
            action,
            requester,
          },
          result.fired,
        )
      } catch (e) {
        // Not committed, not recorded: GitHub shows a failure and a redelivery will be processed.
        ctx.log.error('github.schedule_failed', {
          project: project.name,
          delivery,
          error: errorText(e),
        })
        return answer(c, 503, 'error', {
          reason: 'could not queue the request; redeliver it later',
        })
      }
      if (scheduled.kind === 'duplicate') {
        if (scheduled.of === 'body')
          ctx.log.warn('github.replay', { project: project.name, delivery })
        return answer(c, 200, 'duplicate', {
          reason:
            scheduled.of === 'body'
              ? 'the same body was already processed under another delivery id (a replay)'
              : 'delivery already processed',
        })
      }
      ctx.wake.dispatch.notify()
      ctx.wake.outbox.notify()
      const runs = scheduled.results.map((r) => ({
        run: r.run.id,
        job: r.run.jobType,
        due_at: new Date(r.run.dueAt).toISOString(),
        ...(r.replaced ? { replaced_pending: true } : {}),
      }))
      for (const r of scheduled.results) {
        ctx.log.info('request.queued', {
          run: r.run.id,
          job: r.run.jobType,
          replaced: r.replaced,
          due_at: r.run.dueAt,
          door: 'github',
          user: requester,
          delivery,
        })
      }
      return answer(c, 200, 'queued', { runs })
    },
  ] as const

  // GitHub's URL field is free text: accept the trailing slash people paste.
  app.post('/:project', ...handlers)
  app.post('/:project/', ...handlers)
  return app
}

function bodyDigest(project: string, body: Uint8Array): string {
  const h = new Bun.CryptoHasher('sha256')
  h.update(`${project}\n`)
  h.update(body)
  return h.digest('hex')
}

function parseObject(body: Uint8Array): Record<string, unknown> | null {
  const text = utf8(body)
  if (!text) return null
  try {
    const v: unknown = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}
