// `ebmbot serve`: every configured worker in one process, stopped gracefully on SIGTERM/SIGINT:
// front doors stop taking work first, then running jobs get the shutdown grace to finish.
import { Dispatcher } from '../dispatcher/dispatcher.ts'
import { startMetaflowWatcher } from '../app/metaflow-watcher.ts'
import { startSlack } from '../slack/start-slack.ts'
import { startWebhooks, webhooksWanted } from '../webhooks/index.ts'
import type { AppContext, Worker } from '../app/context.ts'

export async function serve(ctx: AppContext): Promise<number> {
  // Listen for the stop signal before anything starts: a SIGTERM during start-up (or just after
  // the ready line) must be a graceful stop, not the default action that kills the process.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
  const dispatcher = new Dispatcher(ctx)
  // Front doors, each only when configured, in the order they should stop. They start before
  // the dispatcher, so a start that fails (bad Slack token, missing WEBHOOK_ORIGIN) runs no job.
  const workers: Worker[] = []
  if (webhooksWanted(ctx)) workers.push(await startWebhooks(ctx))
  const slack = await startSlack(ctx)
  if (slack) workers.push(slack)
  const metaflowWatcher = startMetaflowWatcher(ctx)
  if (metaflowWatcher) workers.push(metaflowWatcher)
  dispatcher.start()
  ctx.log.info('serve.ready', {
    worker: ctx.workerId,
    state_dir: ctx.env.stateDir,
    config: ctx.config.source,
    workers: ['dispatcher', ...workers.map((w) => w.name)].join(','),
  })
  const signal = await stopSignal
  const graceMs = ctx.config.settings.shutdown_grace * 1000
  ctx.log.info('serve.stopping', { signal, running: dispatcher.running, grace_ms: graceMs })
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
  await each('stop')
  await dispatcher.stop(graceMs)
  await each('flush')
  ctx.queue.close()
  ctx.log.info('serve.stopped', {})
  return 0
}
