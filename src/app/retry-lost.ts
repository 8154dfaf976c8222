// retry_on_lost: a run lost with its bot process (kill -9, a lost host) of a job that is safe to
// run twice is queued again as a new run, in the same thread, once: a retry that is lost too is
// reported, not retried again, and a newer request of the type already waiting is left alone.
import { findJob } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { type AppContext, replyDoor } from './context.ts'

const RETRIED = 'lost-retry'

/** Called by the one survivor that recorded `run` lost; the new run, when one was queued. */
export async function retryLost(ctx: AppContext, run: Run): Promise<Run | undefined> {
  const job = findJob(ctx.config, run.jobType)
  if (!job?.retryOnLost) return undefined
  const now = ctx.now()
  const retry = await ctx.queue.atomically(async (q) => {
    // A retry is not retried: it was marked when it was queued.
    if (await q.isSeen(RETRIED, String(run.id))) return undefined
    const waiting = (await q.snapshot(now)).scheduled.find((r) => r.jobType === run.jobType)
    const say = (text: string) =>
      q.enqueueOutgoing(
        now,
        replyDoor(ctx, run),
        [{ kind: 'message', purpose: 'reply', channel: run.channel, threadTs: run.threadTs, text }],
        run.id,
      )
    if (waiting) {
      await say(
        `:repeat: \`${run.jobType}\` retries when lost, but a newer request of it is already queued (run ${waiting.id}); run ${run.id} is not queued again.`,
      )
      return undefined
    }
    const { run: again } = await q.scheduleRequest(now, {
      namespace: run.namespace,
      job: run.job,
      jobType: run.jobType,
      door: run.door,
      requestedBy: run.requestedBy,
      channel: run.channel,
      threadTs: run.threadTs,
      messageTs: run.messageTs,
      isDm: run.isDm,
      requestText: run.requestText,
      params: run.params,
      command: run.command,
      delaySeconds: 0,
    })
    await q.markSeen(now, RETRIED, String(again.id), again.id)
    await say(
      `:repeat: \`${run.jobType}\` is safe to retry (retry_on_lost): run ${run.id} is queued again as run ${again.id}.`,
    )
    return again
  })
  if (retry) {
    ctx.log.warn('recover.run_requeued', { run: run.id, as: retry.id, job: run.jobType })
    ctx.wake.dispatch.notify()
  }
  ctx.wake.outbox.notify()
  return retry
}
