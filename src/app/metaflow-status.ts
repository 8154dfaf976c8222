// The one status rule behind every Metaflow answer (`runs`, `inspect`, `status`, `watch`, the
// watcher's notices, `export`): Metaflow's metadata plus what the bot knows of the process it
// started, looked up the same way whichever thread or list asks.
import type { AppContext } from './context.ts'
import { readRunIdFile, runIdFilePath } from '../metaflow/launch.ts'
import {
  loadRunStatus,
  loadRunView,
  type RunView,
  type RunViewOptions,
} from '../metaflow/run-view.ts'
import type { RunStatus } from '../metaflow/status.ts'
import type { MetaflowRun } from '../metaflow/types.ts'
import { ownValue } from '../util/own.ts'

/**
 * What the bot knows of the process running `flow/runId`: alive or not when it started it (from
 * whichever thread did, or the running job of the flow whose run-id file names it), and whether
 * it stopped the job itself. Local runs send no heartbeats, so without this they are never running.
 */
export async function statusOptions(
  ctx: AppContext,
  flow: string,
  runId: string,
): Promise<RunViewOptions> {
  const nowSeconds = Math.floor(ctx.now() / 1000)
  const job = await ctx.queue.ebmbotRunOf(flow, runId)
  if (job) {
    const how =
      job.state === 'cancelled' ? 'cancelled' : job.state === 'timed_out' ? 'timed_out' : null
    return {
      nowSeconds,
      processAlive: job.state === 'running',
      ...(how ? { stoppedBy: { how, ebmbotRunId: job.id, who: job.cancelledBy } } : {}),
    }
  }
  // The flow named in a thread: own keys only, so a name like `constructor` finds nothing.
  const configured = ctx.config.metaflow && ownValue(ctx.config.metaflow.flows, flow)
  const running = configured && (await ctx.queue.runningOfType(configured.jobType))
  if (running && (await readRunIdFile(runIdFilePath(ctx.env.stateDir, running.id))) === runId)
    return { nowSeconds, processAlive: true }
  return { nowSeconds }
}

/** A run with its status, by the rule above. */
export async function viewRun(ctx: AppContext, flow: string, runId: string): Promise<RunView> {
  return loadRunView(ctx.metaflow!, flow, runId, await statusOptions(ctx, flow, runId))
}

/** The status of a run already listed (a line of `runs <Flow>`), by the same rule. */
export async function statusOfListed(ctx: AppContext, run: MetaflowRun): Promise<RunStatus> {
  const options = await statusOptions(ctx, run.flow_id, String(run.run_number))
  return loadRunStatus(ctx.metaflow!, run, options)
}
