// `ebmbot serve`: every configured worker in one process, stopped gracefully on SIGTERM/SIGINT:
// front doors stop taking work first, then running jobs get the shutdown grace to finish. Under
// systemd (Type=notify) it says READY=1 once serving, feeds the watchdog, and reloads on SIGHUP.
// The Slack, web page, webhook and Metaflow modules are imported where they start, and only when
// the config and environment enable them: a bot without them neither loads nor parses them.
import type { Config } from '../config/types.ts'
import { Dispatcher } from '../dispatcher/dispatcher.ts'
import { startNotifier } from '../systemd/notify.ts'
import { webhooksWanted } from '../webhooks/wanted.ts'
import type { AppContext, Worker } from '../app/context.ts'
import { reloadConfig } from './reload.ts'
import { flushStderr } from '../util/log.ts'
import { startScheduleTicker, type Ticker } from '../schedules/ticker.ts'

export async function serve(ctx: AppContext, opts: { load: () => Config }): Promise<number> {
  // Listen for the stop signal before anything starts: a SIGTERM during start-up (or just after
  // the ready line) must be a graceful stop, not the default action that kills the process.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
  const notifier = startNotifier(ctx.env.systemd, ctx.log)
  // Installed before start-up too: SIGHUP's default action would end the process.
  let started = false
  let ticker: Ticker | undefined
  process.on('SIGHUP', () => {
    if (!started) return ctx.log.warn('config.reload_skipped', { reason: 'still starting' })
    notifier.reloading()
    const r = reloadConfig(ctx, opts.load)
    if (r.ok)
      ctx.log.info('config.reloaded', {
        config: ctx.config.source,
        namespaces: Object.keys(ctx.config.namespaces).length,
        ...(r.needsRestart.length ? { needs_restart: r.needsRestart.join(',') } : {}),
      })
    else ctx.log.error('config.reload_refused', { kept: 'the running config', error: r.error })
    // Schedules are read from the config at every pass: a reload only needs the next slot looked up.
    if (r.ok) ticker?.wake()
    notifier.ready(r.ok ? 'config reloaded' : 'config reload refused; running the old one')
  })
  const dispatcher = new Dispatcher(ctx)
  // Front doors, each only when configured, in the order they should stop. The web server starts
  // before the dispatcher, so a start that fails (missing WEBHOOK_ORIGIN) runs no job.
  const workers: Worker[] = []
  const pages = ctx.config.web?.enabled ? (await import('./web-door.ts')).webDoor(ctx) : undefined
  const web = webhooksWanted(ctx) || !!pages
  if (web) {
    const { startWebhooks } = await import('../webhooks/index.ts')
    workers.push(await startWebhooks(ctx, { pages }))
  }
  if (ctx.metaflow) {
    const { startMetaflowWatcher } = await import('../app/metaflow-watcher.ts')
    const metaflowWatcher = startMetaflowWatcher(ctx)
    if (metaflowWatcher) workers.push(metaflowWatcher)
  }
  dispatcher.start()
  // Started after the dispatcher, stopped with the other intakes before running jobs get their grace.
  ticker = startScheduleTicker(ctx)
  workers.push(ticker)
  // Slack connects in the background: jobs, webhooks and their reports (kept in the outbox) do
  // not wait for it, and /healthz shows it connecting. A start Slack refuses for good (a wrong
  // token, a channel it cannot see) stops the bot with the reason, as a bad config would.
  const slackConfigured = !!(ctx.env.slack.appToken && ctx.env.slack.botToken)
  let stopping = false
  if (!slackConfigured)
    ctx.log.info('slack.off', { reason: 'SLACK_APP_TOKEN and SLACK_BOT_TOKEN are not both set' })
  const slackStart = slackConfigured
    ? import('../slack/start-slack.ts').then((m) => m.startSlack(ctx, { stopping: () => stopping }))
    : Promise.resolve(null)
  const slackFailed = slackStart.then(
    (slack) => {
      if (slack && !stopping) workers.splice(web ? 1 : 0, 0, slack)
      else if (slack) void slack.stop().then(() => slack.flush?.())
      return new Promise<never>(() => {}) // started: never a reason to stop
    },
    (e: unknown) => e,
  )
  ctx.log.info('serve.ready', {
    worker: ctx.workerId,
    state_dir: ctx.env.stateDir,
    config: ctx.config.source,
    workers: ['dispatcher', ...workers.map((w) => w.name)].join(','),
    ...(slackConfigured ? { slack: 'connecting' } : {}),
  })
  // Out now, not after the first dispatcher and ticker passes that this turn goes on to run.
  flushStderr()
  started = true
  notifier.ready()
  // The binary starts with the JIT's tier-up thresholds raised (--compile-jit-policy in the build):
  // start-up code runs once and is not worth compiling. From here on the hot paths are the work.
  Bun.unsafe.setJITPolicy(1)
  // What start-up built and dropped (the config's parse trees, the schema checks' scratch) is
  // collected once and the heap handed back, so the idle bot does not keep start-up's high water.
  setTimeout(() => {
    Bun.gc(true)
    Bun.shrink()
  }, 1000).unref()
  const failed = await Promise.race([stopSignal.then(() => null), slackFailed])
  stopping = true
  const signal = failed ? 'slack start failed' : await stopSignal
  const graceMs = ctx.config.settings.shutdown_grace * 1000
  ctx.log.info('serve.stopping', { signal, running: dispatcher.running, grace_ms: graceMs })
  notifier.stopping()
  // If something still holds the process open after the grace, say what and leave anyway.
  setTimeout(() => {
    ctx.log.error('serve.forced_exit', { running: dispatcher.running })
    process.exit(1)
  }, graceMs + 15_000).unref()
  const each = async (phase: 'stop' | 'flush') => {
    for (const w of workers)
      await w[phase]?.().catch((e) =>
        ctx.log.error('serve.stop_failed', { worker: w.name, phase, error: String(e) }),
      )
  }
  // A Slack start still on its way notices the stop at its next step; the queue outlives it.
  await Promise.race([slackStart.catch(() => {}), Bun.sleep(3000)])
  await each('stop')
  await dispatcher.stop(graceMs)
  await each('flush')
  await dispatcher.retire()
  ctx.queue.close()
  notifier.close()
  ctx.log.info('serve.stopped', {})
  if (failed) throw failed
  return 0
}
