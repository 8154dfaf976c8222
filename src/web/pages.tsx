/** @jsxImportSource hono/jsx */
// The run pages as a Hono app mounted at /web: sign-in, then the queue, history and run pages,
// a run's log download and live log, and its buttons. Built from the bot's context and what the
// wiring gives it (Slack lookups), so tests drive it with app.request() or a real browser.
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppContext } from '../app/context.ts'
import type { ControlAction } from '../app/door.ts'
import { mayRead } from '../commands/access.ts'
import { ACTIONS, press } from './actions.ts'
import { flash } from './cookies.ts'
import { sameOrigin, signedIn } from './guard.ts'
import { historyPage } from './history-page.tsx'
import { STYLE } from './layout.tsx'
import { LIVE_SCRIPT } from './live-script.ts'
import { followLog } from './live-log.ts'
import { pathOf, secretsOf, type Stream } from './log-file.ts'
import { queuePage } from './queue-page.tsx'
import { buttonsFor, runPage } from './run-page.tsx'
import { signInRoutes } from './sign-in.tsx'
import type { SlackSignIn } from './slack-oidc.ts'
import { placeOf, type People } from './viewer.ts'
import type { PagesEnv } from './web-env.ts'
import type { WebSetup } from './web-setup.ts'
import { redact } from '../util/redact.ts'

export interface PagesDeps {
  setup: WebSetup
  /** guest flag and groups of a Slack user (the Slack door's lookups); none without Slack */
  people: People
  /** a channel's name, for rules that name channels (`#ops`) */
  channelName?: (id: string) => Promise<string | undefined>
  slack?: SlackSignIn
}

/** Largest download: the job's files are capped by max_output anyway. */
const DOWNLOAD_MAX = 256 * 1024 * 1024

const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
}

export function webPages(ctx: AppContext, deps: PagesDeps): Hono<PagesEnv> {
  const { setup } = deps
  const app = new Hono<PagesEnv>()
  app.use(async (c, next) => {
    await next()
    for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v)
  })
  app.use(bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Too large.', 413) }))
  app.use(sameOrigin(setup))
  app.get('/style.css', (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }))
  app.get('/live.js', (c) =>
    c.body(LIVE_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  )
  app.route('/', signInRoutes(ctx, setup, deps.slack))
  app.use(signedIn(setup, deps.people, ctx.now))

  const shell = (c: Context<PagesEnv>) => c.get('shell')
  /** The run, if this viewer may read it; else the same answer as for a run that does not exist. */
  const readable = async (c: Context<PagesEnv>) => {
    const id = c.req.param('id') ?? ''
    if (!/^\d{1,15}$/.test(id)) return undefined
    const run = await ctx.queue.getRun(Number(id))
    if (!run) return undefined
    const v = c.get('viewer')
    const channelName = await deps.channelName?.(run.channel)
    const { ns, job } = placeOf(ctx.config, run)
    const ok = ns
      ? mayRead(ns, job, run.requestedBy, v.asker(run.channel, channelName)).ok
      : v.session.trusted || v.session.user === run.requestedBy
    return ok ? { run, v, channelName } : undefined
  }
  const missing = (c: Context<PagesEnv>) => c.text('No such run, or not one you may see.', 404)

  app.get('/', async (c) => c.html(await queuePage(ctx, c.get('viewer'), shell(c))))
  app.get('/history', async (c) =>
    c.html(await historyPage(ctx, c.get('viewer'), c.req.query(), shell(c))),
  )
  app.get('/runs/:id', async (c) => {
    const r = await readable(c)
    if (!r) return missing(c)
    const buttons = buttonsFor(ctx, r.v, r.run, r.channelName)
    return c.html(await runPage(ctx, r.run, buttons, shell(c)))
  })
  app.get('/runs/:id/log/:stream', async (c) => {
    const r = await readable(c)
    const stream = streamOf(c.req.param('stream'))
    if (!r || !stream) return missing(c)
    const path = pathOf(r.run, stream)
    const text = path
      ? await Bun.file(path)
          .text()
          .catch(() => '')
      : ''
    return c.body(redact(text.slice(-DOWNLOAD_MAX), secretsOf(ctx, r.run)), 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="${r.run.jobType}-${r.run.id}-${stream}.txt"`,
    })
  })
  app.get('/runs/:id/live/:stream', async (c) => {
    const r = await readable(c)
    const stream = streamOf(c.req.param('stream'))
    if (!r || !stream) return missing(c)
    // A reconnecting EventSource says how far it got; the page says where its text ended.
    const from = Number(c.req.header('last-event-id') ?? c.req.query('from') ?? 0)
    c.header('x-accel-buffering', 'no') // nginx: pass events on as they come
    return followLog(c, ctx, r.run, stream, Number.isSafeInteger(from) && from > 0 ? from : 0)
  })
  app.post('/runs/:id/:action', async (c) => {
    const action = c.req.param('action') as ControlAction
    const r = await readable(c)
    if (!r || !ACTIONS.includes(action)) return missing(c)
    const body = await c.req.parseBody()
    const pressId = typeof body.press === 'string' && body.press ? body.press.slice(0, 40) : ''
    const res = await press(ctx, r.v, r.run, action, pressId || crypto.randomUUID(), r.channelName)
    flash(
      c,
      setup,
      res.kind === 'duplicate' ? ['That button was already pressed.'] : plain(res.replies),
    )
    const to = action === 'rerun' && res.accepted && res.runId ? res.runId : r.run.id
    return c.redirect(`/web/runs/${to}`, 303)
  })
  return app
}

const streamOf = (s: string | undefined): Stream | undefined =>
  s === 'stdout' || s === 'stderr' ? s : undefined

/** Replies are Slack text; the page shows them without the markup. */
const plain = (lines: string[]) =>
  lines.map((l) =>
    l
      .replace(/<@([A-Z0-9]+)>/g, '$1')
      .replace(/:[a-z_]+:\s*/g, '')
      .replace(/[`*]/g, ''),
  )
