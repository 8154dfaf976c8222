// Crash recovery: a bot process that is gone (kill -9, power cut, a lost host, a peer that stopped
// renewing its lease) is recorded dead by exactly one survivor, and each run it still held is
// recorded lost and reported (and queued again, for retry_on_lost jobs), exactly once; whatever of such a run survived on this host (its
// leader, children that left its group or session) is killed first, so a type never has two runs
// going. Its outbox messages are then free for the survivors' deliverers (takeOutgoing).
import type { AppContext } from '../app/context.ts'
import { retryLost } from '../app/retry-lost.ts'
import type { Run, Worker } from '../queue/schema.ts'
import { recordOutcome } from './finish.ts'
import type { Boxes } from './containment.ts'
import { sameProcess } from './proc.ts'

/** How long a peer may go without renewing its lease before it is presumed dead. */
export const leaseMs = (ctx: AppContext) => ctx.config.settings.instance_lease * 1000

/** A process on this host is dead when its pid is gone; on any host, when its lease ran out. */
function isDead(ctx: AppContext, w: Worker): boolean {
  if (ctx.now() - w.heartbeatAt > leaseMs(ctx)) return true
  return w.host === ctx.host && !sameProcess(w.pid, w.pidStart)
}

/** Records every dead peer as stopped; the ones this process was first to find. */
async function retireDeadPeers(ctx: AppContext): Promise<Worker[]> {
  const retired: Worker[] = []
  for (const w of await ctx.queue.liveWorkers()) {
    if (w.id === ctx.workerId || !isDead(ctx, w)) continue
    if (!(await ctx.queue.retireWorker(ctx.now(), w.id, w.heartbeatAt))) continue
    ctx.log.warn('instance.lost', {
      instance: w.id,
      host: w.host,
      pid: w.pid,
      last_heartbeat_ms_ago: ctx.now() - w.heartbeatAt,
    })
    retired.push(w)
  }
  if (retired.length) ctx.wake.outbox.notify() // their undelivered messages are anyone's now
  return retired
}

export async function recoverOrphans(ctx: AppContext, boxes: Boxes): Promise<Run[]> {
  await retireDeadPeers(ctx)
  const lost: Run[] = []
  for (const run of await ctx.queue.runningRuns()) {
    if (!run.owner || run.owner === ctx.workerId) continue
    const owner = await ctx.queue.getWorker(run.owner)
    if (owner && !owner.stoppedAt) continue
    const here = !owner || owner.host === ctx.host
    // Only this host's processes can be stopped from here, and the leader's group and session
    // count only while the leader is the same process: a pid recycled since must not take an
    // unrelated group down with it.
    if (here) {
      const leader = run.pid && sameProcess(run.pid, run.pidStart) ? run.pid : undefined
      const survivors = await boxes
        .forRun(run.id)
        .stop(ctx.config.settings.kill_grace * 1000, leader)
      if (survivors)
        ctx.log.warn('recover.killed_survivors', {
          run: run.id,
          job: run.jobType,
          pid: run.pid,
          processes: survivors,
        })
    }
    const done = await recordOutcome(ctx, run, run.owner, {
      state: 'lost',
      detail: here
        ? 'the bot restarted while it ran'
        : `the instance running it (on ${owner.host}) stopped answering`,
    })
    if (done) {
      ctx.log.warn('recover.run_lost', { run: run.id, job: run.jobType, owner: run.owner })
      lost.push(done)
      await retryLost(ctx, done)
    }
  }
  return lost
}
