// Crash recovery: a run still marked running whose owner process is gone (kill -9, power cut,
// a peer that stopped heartbeating) is recorded lost and reported, exactly once; whatever of it
// survived the crash (its leader, children that left its group or session) is killed first, so a
// type never has two runs going.
import type { AppContext } from '../app/context.ts'
import type { Run, Worker } from '../queue/schema.ts'
import { recordOutcome } from './finish.ts'
import type { Boxes } from './containment.ts'
import { sameProcess } from './proc.ts'

/** A peer on another host is presumed dead after this long without a heartbeat. */
const STALE_WORKER_MS = 60_000

function ownerIsDead(ctx: AppContext, owner: Worker | undefined): boolean {
  if (!owner || owner.stoppedAt) return true
  if (owner.host === ctx.host) return !sameProcess(owner.pid, owner.pidStart)
  return ctx.now() - owner.heartbeatAt > STALE_WORKER_MS
}

export async function recoverOrphans(ctx: AppContext, boxes: Boxes): Promise<Run[]> {
  const lost: Run[] = []
  for (const run of await ctx.queue.runningRuns()) {
    if (!run.owner || run.owner === ctx.workerId) continue
    if (!ownerIsDead(ctx, await ctx.queue.getWorker(run.owner))) continue
    // The leader's group and session count only while the leader is the same process: a pid
    // recycled since must not take an unrelated group down with it.
    const leader = run.pid && sameProcess(run.pid, run.pidStart) ? run.pid : undefined
    const survivors = await boxes.forRun(run.id).stop(ctx.config.settings.kill_grace * 1000, leader)
    if (survivors)
      ctx.log.warn('recover.killed_survivors', {
        run: run.id,
        job: run.jobType,
        pid: run.pid,
        processes: survivors,
      })
    const done = await recordOutcome(ctx, run, run.owner, {
      state: 'lost',
      detail: 'the bot restarted while it ran',
    })
    if (done) {
      ctx.log.warn('recover.run_lost', { run: run.id, job: run.jobType, owner: run.owner })
      lost.push(done)
    }
  }
  return lost
}
