// What every worker in one bot process shares: the queue, the config, the clock, the wake-ups.
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../config/types.ts'
import type { Environment } from '../config/env.ts'
import { processStartTime } from '../dispatcher/proc.ts'
import { metaflowSourceFor } from '../metaflow/deployment.ts'
import type { MetaflowSource } from '../metaflow/source.ts'
import type { ReportContext } from '../notify/reports.ts'
import { openQueue } from '../queue/db.ts'
import type { Queue } from '../queue/queue.ts'
import type { Door, Run } from '../queue/schema.ts'
import { registerWorker } from '../queue/workers.ts'
import { maskingLogger, type Logger } from '../util/log.ts'
import { allSecrets } from './secrets.ts'
import { Metrics } from '../util/metrics.ts'
import { Signal } from '../util/signal.ts'

export interface AppContext {
  queue: Queue
  config: Config
  env: Environment
  log: Logger
  now: () => number
  /** this process in the workers table; owner of the runs it claims */
  workerId: string
  host: string
  logsDir: string
  /** enqueue → dispatcher; finish or reply → outbox deliverers */
  wake: { dispatch: Signal; outbox: Signal }
  reports: ReportContext
  metrics: Metrics
  /** each worker registers how it is doing; /healthz reports them all */
  health: Map<string, () => WorkerHealth>
  /** where the Metaflow verbs read runs; present when the config has a `metaflow` section */
  metaflow?: MetaflowSource
}

export interface WorkerHealth {
  ok: boolean
  detail?: Record<string, unknown>
}

export function createContext(opts: {
  config: Config
  env: Environment
  log: Logger
  now?: () => number
}): AppContext {
  const { config, env } = opts
  const secrets = allSecrets(config, env)
  const log = maskingLogger(opts.log, secrets)
  const now = opts.now ?? Date.now
  // Before the queue opens: a Metaflow section that cannot work stops the bot with the reason.
  const metaflow = config.metaflow ? metaflowSourceFor(config.metaflow, env) : undefined
  const queue = openQueue(join(env.stateDir, 'ebmbot.db'))
  const host = hostname()
  const workerId = `${host}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`
  registerWorker(queue.db, now(), {
    id: workerId,
    host,
    pid: process.pid,
    pidStart: processStartTime(process.pid),
  })
  return {
    queue,
    config,
    env,
    log,
    now,
    workerId,
    host,
    logsDir: join(env.stateDir, 'logs'),
    wake: { dispatch: new Signal(), outbox: new Signal() },
    reports: {
      logsChannel: config.settings.logs_channel ?? env.slack.logsChannel ?? 'logs',
      techSupportChannel:
        config.settings.tech_support_channel ?? env.slack.techSupportChannel ?? 'tech-support',
      secrets,
    },
    metrics: new Metrics(),
    health: new Map(),
    ...(metaflow ? { metaflow } : {}),
  }
}

/** Reports go back through the door the request came in by; webhook runs report in Slack. */
export const replyDoor = (run: Pick<Run, 'door'>): Door =>
  run.door === 'local' ? 'local' : 'slack'
