// Ending a run: the outcome and its reports are written in one transaction, so a report can
// never be lost between the two (the outbox delivers it, now or after a restart).
import { type AppContext, replyDoor } from '../app/context.ts'
import { findJob } from '../config/types.ts'
import { jobSecrets } from '../config/job-secrets.ts'
import { finishReport } from '../app/reports.ts'
import { logsFull } from './logs-room.ts'
import type { Outcome } from '../queue/finish.ts'
import { finalEdit } from './progress.ts'
import { readTail } from '../util/read-tail.ts'
import type { Run } from '../queue/schema.ts'
import { errorText } from '../util/log.ts'

export async function recordOutcome(
  ctx: AppContext,
  run: Run,
  owner: string,
  outcome: Outcome,
): Promise<Run | undefined> {
  const [stdout, stderr] = await Promise.all([
    readTail(run.stdoutPath),
    readTail(run.stderrPath, 256 * 1024),
  ])
  const full = failedOnItsOwn(outcome) ? logsFull(ctx.logsDir) : null
  if (full)
    ctx.log.warn('logs.disk_full', { run: run.id, dir: full.dir, free_bytes: full.freeBytes })
  const job = findJob(ctx.config, run.jobType)
  const secrets = [...ctx.reports.secrets, ...(job ? jobSecrets(job, ctx.env.vars) : [])]
  if (ctx.config.metaflow && run.namespace === ctx.config.metaflow.namespace) {
    // Loaded here: a bot without Metaflow never loads its modules.
    const { learnRunIdsOf } = await import('../app/metaflow-follow.ts')
    await learnRunIdsOf(ctx, run.id).catch((e) =>
      ctx.log.warn('metaflow.link_failed', { run: run.id, error: errorText(e) }),
    )
  }
  const record = () =>
    ctx.queue.atomically(async (q) => {
      const finished = await q.finishRun(ctx.now(), run.id, owner, outcome)
      if (!finished) return undefined
      const messages = finishReport(
        finished,
        job,
        { stdout, stderr, logsFull: full },
        { ...ctx.reports, secrets },
      )
      // The progress message's last edit shows the outcome (with Rerun and Logs).
      const edit = finalEdit(finished)
      if (edit) await q.enqueueUpdate(ctx.now(), replyDoor(ctx, finished), edit, finished.id)
      await q.enqueueOutgoing(ctx.now(), replyDoor(ctx, finished), messages, finished.id)
      return finished
    })
  let done: Run | undefined
  for (let attempt = 1; ; attempt++) {
    try {
      done = await record()
      break
    } catch (e) {
      // Whatever stopped the write (the disk is full, another writer held the lock past the busy
      // timeout, an I/O error), dropping the outcome would leave the run "running" under a live
      // owner, which recovery never touches, and its job type blocked: keep it, say so in
      // /healthz, and try again until it is recorded.
      waitingOutcomes(ctx).add(run.id)
      ctx.log.warn('run.finish_retry', { run: run.id, attempt, error: errorText(e) })
      await Bun.sleep(Math.min(250 * 2 ** attempt, 5000))
    }
  }
  waitingOutcomes(ctx).delete(run.id)
  if (done) {
    ctx.metrics.runsFinished.inc({ job: done.jobType, state: done.state })
    if (done.startedAt && done.finishedAt)
      ctx.metrics.runDuration.observe((done.finishedAt - done.startedAt) / 1000, {
        job: done.jobType,
      })
    ctx.log.info('run.finished', {
      run: done.id,
      job: done.jobType,
      state: done.state,
      exit_code: done.exitCode,
      detail: done.detail,
    })
    ctx.wake.outbox.notify()
    ctx.wake.dispatch.notify()
  }
  return done
}

const waiting = new WeakMap<AppContext['health'], Set<number>>()

/** The runs of this process whose outcome waits to be recorded; /healthz fails while any do. */
function waitingOutcomes(ctx: AppContext): Set<number> {
  let ids = waiting.get(ctx.health)
  if (!ids) {
    const set = new Set<number>()
    ids = set
    waiting.set(ctx.health, set)
    ctx.health.set('outcomes', () => ({
      ok: set.size === 0,
      detail: { waiting_to_be_recorded: [...set] },
    }))
  }
  return ids
}

/** Failures the job (or its machine) caused, as opposed to a cancel or a stop by the bot. */
const failedOnItsOwn = (o: Outcome) => o.state === 'failed' || o.state === 'timed_out'
