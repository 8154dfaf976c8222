// The Metaflow watcher: every few seconds, for each thread that watches a run (or waits for a run
// started from chat to report its id), reads the run's status and posts into the thread when it
// finishes, fails or is lost.
//
// A thread's announced status lives in its row, and moving it (compare-and-set on the old value)
// is one transaction with the outbox message: a restart neither repeats a notice nor loses one,
// since the outbox delivers what was stored. The states a watched row goes through:
//   (none) --seen running--> running --finished | failed | lost--> announced, no longer polled
//   run started from chat: (no id) --run-id file--> id recorded, "started" posted
//                          (no id) --its job ended without writing one--> not_started
import type { AppContext } from './context.ts'
import type { Worker } from './context.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { errorText } from '../util/log.ts'
import { watchNotice } from '../metaflow/chat-text.ts'
import { MetaflowNotFoundError } from '../metaflow/errors.ts'
import { loadFailure } from '../metaflow/failure.ts'
import { learnRunId, postToThread } from './metaflow-follow.ts'
import { viewRun } from './metaflow-status.ts'
import { Signal } from '../util/signal.ts'

const WAITING = ['awaiting_approval', 'pending', 'running']

export interface WatcherOptions {
  /** default: the config's metaflow.watch_interval */
  intervalMs?: number
  /**
   * Make one more pass when stopped: a piped chat session ends right after its jobs do, and the
   * notice that a flow finished should still be posted. A server stops without it, promptly.
   */
  finalPass?: boolean
}

/** Null when the bot has no Metaflow section. */
export function startMetaflowWatcher(ctx: AppContext, options: WatcherOptions = {}): Worker | null {
  const source = ctx.metaflow
  const mf = ctx.config.metaflow
  if (!source || !mf) return null
  const intervalMs = options.intervalMs ?? mf.watchIntervalSeconds * 1000
  const wake = new Signal()
  let stopped = false
  let lastPass = ctx.now()
  /** rows whose last read failed, so an outage is logged once per row, not every pass */
  const failing = new Set<number>()

  async function check(seen: MetaflowThread): Promise<void> {
    let row = seen
    if (row.runId === null) {
      row = await learnRunId(ctx, row)
      if (row.runId === null) {
        const job = row.ebmbotRunId === null ? undefined : await ctx.queue.getRun(row.ebmbotRunId)
        // Its job ended without Metaflow writing a run id (bad parameter, missing Python…): the
        // job's own failure report says why. Look once more, in case it wrote the id and ended
        // between the two reads, then stop looking.
        if (!job || WAITING.includes(job.state)) return
        row = await learnRunId(ctx, row)
        if (row.runId === null) {
          await ctx.queue.recordStatus(ctx.now(), row, 'not_started')
          return
        }
      }
    }
    if (!row.watching) return
    const view = await viewRun(ctx, row.flow, row.runId)
    const st = view.status
    if (st.status === row.lastStatus) return
    if (st.status === 'running') {
      await ctx.queue.recordStatus(ctx.now(), row, 'running')
      return
    }
    // Read before the unit of work: it may hold the database only for the database.
    const failure =
      st.status === 'failed' ? await loadFailure(source!, view).catch(() => null) : null
    const announced = await ctx.queue.atomically(async (q) => {
      const moved = await q.recordStatus(ctx.now(), row, st.status)
      // `quiet` may have landed while this pass read Metaflow: it wins.
      if (moved?.watching)
        await postToThread(
          { ...ctx, queue: q },
          moved,
          watchNotice(`${row.flow}/${row.runId}`, st, failure),
        )
      return moved?.watching
    })
    if (announced)
      ctx.log.info('metaflow.watch_notice', {
        flow: row.flow,
        metaflow_run: row.runId,
        status: st.status,
        channel: row.channel,
      })
  }

  async function pass(): Promise<void> {
    for (const row of await ctx.queue.threadsToWatch()) {
      if (stopped) return
      try {
        await check(row)
        failing.delete(row.id)
      } catch (e) {
        if (e instanceof MetaflowNotFoundError && row.lastStatus === 'running') {
          // Seen running before, gone now (deleted, or the config points elsewhere): stop, once.
          await ctx.queue.atomically(async (q) => {
            const moved = await q.recordStatus(ctx.now(), row, 'lost')
            if (moved?.watching)
              await postToThread(
                { ...ctx, queue: q },
                moved,
                `:warning: \`${row.flow}/${row.runId}\` can no longer be found in Metaflow, so I stopped watching it.`,
              )
          })
          continue
        }
        if (!failing.has(row.id))
          ctx.log.warn('metaflow.watch_failed', {
            flow: row.flow,
            metaflow_run: row.runId,
            error: errorText(e),
          })
        failing.add(row.id)
      }
    }
  }

  ctx.health.set('metaflow-watcher', () => ({
    ok: !stopped && ctx.now() - lastPass < Math.max(60_000, intervalMs * 5),
    detail: { last_pass_ms_ago: ctx.now() - lastPass, failing: failing.size },
  }))
  const done = (async () => {
    while (!stopped) {
      try {
        await pass()
      } catch (e) {
        ctx.log.error('metaflow.watch_pass_failed', { error: errorText(e) })
      }
      lastPass = ctx.now()
      if (!stopped) await wake.wait(intervalMs)
    }
  })()
  return {
    name: 'metaflow-watcher',
    async stop() {
      stopped = true
      wake.notify()
      await done
      if (options.finalPass) {
        stopped = false // let pass() run to the end
        await pass().catch((e) =>
          ctx.log.error('metaflow.watch_pass_failed', { error: errorText(e) }),
        )
        stopped = true
      }
    },
  }
}
