// GET /metrics: the process's Prometheus registry (runs, durations, webhook requests, Slack
// events), queue and outbox gauges read from the database at scrape time, build info and
// process figures.
import { Hono } from 'hono'
import type { AppContext } from '../app/context.ts'
import { instanceLabel, instancesUp } from '../app/instances.ts'
import type { QueueStats } from '../queue/stats.ts'
import { registerProcessGauges } from './process-gauges.ts'
import type { WebEnv } from './web-env.ts'

/** Queue gauges; a scrape while the database is unusable omits them rather than failing. */
function registerQueueGauges(ctx: AppContext): void {
  const read = (pick: (s: QueueStats) => number) => async () => {
    try {
      return [{ value: pick(await ctx.queue.queueStats(ctx.now())) }]
    } catch {
      return []
    }
  }
  ctx.metrics.gauge(
    'ebmbot_jobs_queued',
    'Requests waiting to start (pending)',
    read((s) => s.queued),
  )
  ctx.metrics.gauge(
    'ebmbot_jobs_running',
    'Runs going now',
    read((s) => s.running),
  )
  ctx.metrics.gauge(
    'ebmbot_dispatcher_lag_seconds',
    'How long the oldest startable request has been due',
    read((s) => s.lagMs / 1000),
  )
}

/** Messages stored but not yet sent: a Slack outage or a rate limit shows here first. */
function registerOutboxGauges(ctx: AppContext): void {
  const backlog = async () => {
    try {
      return await ctx.queue.outboxBacklog()
    } catch {
      return []
    }
  }
  ctx.metrics.gauge('ebmbot_outbox_pending', 'Messages waiting to be sent, by door', async () =>
    (await backlog()).map((b) => ({ labels: { door: b.door }, value: b.pending })),
  )
  ctx.metrics.gauge(
    'ebmbot_outbox_oldest_pending_seconds',
    'How long the oldest unsent message has waited, by door',
    async () =>
      (await backlog()).map((b) => ({
        labels: { door: b.door },
        value: Math.max(0, ctx.now() - b.oldestAt) / 1000,
      })),
  )
}

/** The instances on this database: one series each, its heartbeat's age, labelled with its tags. */
function registerInstanceGauges(ctx: AppContext): void {
  ctx.metrics.gauge(
    'ebmbot_instance_heartbeat_age_seconds',
    'Instances up on this database (this one is self="true"), by how long ago each renewed its lease',
    async () => {
      try {
        return (await instancesUp(ctx)).map((w) => ({
          labels: {
            instance: instanceLabel(w),
            tags: w.tags.join(','),
            self: String(w.id === ctx.workerId),
          },
          value: Math.max(0, ctx.now() - w.heartbeatAt) / 1000,
        }))
      } catch {
        return []
      }
    },
  )
}

export function metricsRoutes(ctx: AppContext): Hono<WebEnv> {
  registerInstanceGauges(ctx)
  registerQueueGauges(ctx)
  registerOutboxGauges(ctx)
  registerProcessGauges(ctx.metrics)
  const app = new Hono<WebEnv>()
  app.get('/metrics', async (c) => {
    c.set('outcome', 'ok')
    return c.body(await ctx.metrics.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    })
  })
  return app
}
