// Builds the context of one bot process: opens the queue (the SQLite file, or PostgreSQL when
// DATABASE_URL names it), registers this process as a worker, and gathers the config,
// environment, clock and wake-ups every part shares.
import { hostname } from 'node:os'
import { join } from 'node:path'
import { allSecrets } from '../config/all-secrets.ts'
import type { Environment } from '../config/env.ts'
import type { Config } from '../config/types.ts'
import { processStartTime } from '../dispatcher/proc.ts'
import { openQueueFor } from '../queue/open-queue.ts'
import { wakeSignals } from '../queue/wake.ts'
import { errorText, maskingLogger, type Logger } from '../util/log.ts'
import { Metrics } from '../util/metrics.ts'
import type { AppContext } from '../app/context.ts'
import { builtInDoors } from '../app/doors.ts'

export async function createContext(opts: {
  config: Config
  env: Environment
  log: Logger
  now?: () => number
}): Promise<AppContext> {
  const { config, env } = opts
  // One list for the one masker: the logs, reports, outbox rows and `logs N` all use it.
  const secrets = allSecrets(config, env)
  const log = maskingLogger(opts.log, secrets)
  const now = opts.now ?? Date.now
  // Before the queue opens: a Metaflow section that cannot work stops the bot with the reason.
  // The Metaflow modules load only for a config that has the section.
  const metaflow = config.metaflow
    ? (await import('../metaflow/deployment.ts')).metaflowSourceFor(config.metaflow, env)
    : undefined
  const queue = await openQueueFor(env)
  const host = hostname()
  const workerId = `${host}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`
  await queue.registerWorker(now(), {
    id: workerId,
    host,
    pid: process.pid,
    pidStart: processStartTime(process.pid),
    tags: env.instanceTags,
  })
  // Stored work wakes the other instances too (PostgreSQL); what they store wakes this one.
  const wake = wakeSignals(queue)
  await queue.wakeups
    ?.listen((topic) => wake[topic].notifyHere())
    .catch((e) => log.warn('queue.listen_failed', { fallback: 'polling', error: errorText(e) }))
  return {
    queue,
    config,
    env,
    log,
    now,
    workerId,
    host,
    logsDir: join(env.stateDir, 'logs'),
    wake,
    reports: {
      logsChannel: config.settings.logs_channel ?? env.slack.logsChannel ?? 'logs',
      techSupportChannel:
        config.settings.tech_support_channel ?? env.slack.techSupportChannel ?? 'tech-support',
      secrets,
    },
    metrics: new Metrics(),
    health: new Map(),
    doors: builtInDoors(),
    ...(metaflow ? { metaflow } : {}),
  }
}
