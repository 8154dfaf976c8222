// The bot's instances as the rest of the app sees them: which are up (listed and within their
// lease), what each is called in chat, and which requests no instance that is up may run
// (a job whose runs_on tags no live instance has), so those are reported, not silently parked.
import { findJob, mayRun } from '../config/types.ts'
import type { Run, Worker } from '../queue/schema.ts'
import { type AppContext, replyDoor } from './context.ts'

/** The instances up now: not stopped, and renewed their lease within it. */
export async function instancesUp(ctx: AppContext): Promise<Worker[]> {
  const lease = ctx.config.settings.instance_lease * 1000
  return (await ctx.queue.liveWorkers()).filter((w) => ctx.now() - w.heartbeatAt <= lease)
}

/** `host:pid`, what people see of an instance (its full id also carries a random part). */
export const instanceLabel = (w: Pick<Worker, 'host' | 'pid'>) => `${w.host}:${w.pid}`

/** The label of a worker id (`host:pid:random`), for a run whose owner row is gone. */
export const labelOfId = (id: string) => id.split(':').slice(0, 2).join(':')

/** A pending request whose job no instance that is up may run: the tags it waits for. */
export function waitsForTags(ctx: AppContext, run: Run, up: Worker[]): string[] | undefined {
  const job = findJob(ctx.config, run.jobType)
  if (!job?.runsOn || up.some((w) => mayRun(job, w.tags))) return undefined
  return job.runsOn
}

/** Whether any job has runs_on (otherwise every instance runs everything: nothing to check). */
export const anyRunsOn = (ctx: AppContext) =>
  Object.values(ctx.config.namespaces).some((ns) => Object.values(ns.jobs).some((j) => j.runsOn))

const tagList = (tags: string[]) => tags.map((t) => `\`${t}\``).join(' or ')

/**
 * Tells each pending request that no instance up may run, once, in its thread (any instance may
 * look; the `seen` mark makes it once across them all).
 */
export async function tellUnservable(ctx: AppContext): Promise<number> {
  if (!anyRunsOn(ctx)) return 0
  const now = ctx.now()
  const { scheduled } = await ctx.queue.snapshot(now)
  if (!scheduled.length) return 0
  const up = await instancesUp(ctx)
  let told = 0
  for (const run of scheduled) {
    const tags = waitsForTags(ctx, run, up)
    if (!tags) continue
    const text = `:hourglass: No instance tagged ${tagList(tags)} is up, so run ${run.id} (\`${run.jobType}\`) waits until one starts (EBMBOT_INSTANCE_TAGS on that host). \`remove job id ${run.id}\` drops it.`
    const fresh = await ctx.queue.atomically(async (q) => {
      if (!(await q.markSeen(now, 'unservable', String(run.id), run.id))) return false
      await q.enqueueOutgoing(
        now,
        replyDoor(ctx, run),
        [{ kind: 'message', purpose: 'reply', channel: run.channel, threadTs: run.threadTs, text }],
        run.id,
      )
      return true
    })
    if (!fresh) continue
    told++
    ctx.log.warn('request.no_instance', { run: run.id, job: run.jobType, runs_on: tags.join(',') })
  }
  if (told) ctx.wake.outbox.notify()
  return told
}
