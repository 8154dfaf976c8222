// What every worker in one bot process shares: the queue, the config, the clock, the wake-ups.
import type { Environment } from '../config/env.ts'
import type { Config } from '../config/types.ts'
import type { MetaflowSource } from '../metaflow/source.ts'
import type { Queue } from '../queue/queue.ts'
import type { Door, Run } from '../queue/schema.ts'
import type { Logger } from '../util/log.ts'
import type { Metrics } from '../util/metrics.ts'
import type { Signal } from '../util/signal.ts'
import { replyDoorOf, type Doors } from './doors.ts'
import type { ReportContext } from './reports.ts'

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
  /** the front doors and what each can do */
  doors: Doors
}

/**
 * A running part of the bot (a front door, a notifier) that serve stops on shutdown: `stop` ends
 * its intake before running jobs are given their grace; `flush` runs after them, so reports of
 * jobs that finish during the grace are still delivered.
 */
export interface Worker {
  name: string
  stop(): Promise<void>
  flush?(): Promise<void>
}

export interface WorkerHealth {
  ok: boolean
  detail?: Record<string, unknown>
}

/** Answers about a request go back through the door it came in by, or the one that door names. */
export const replyDoor = (ctx: Pick<AppContext, 'doors'>, run: Pick<Run, 'door'>): Door =>
  replyDoorOf(ctx.doors, run.door)
