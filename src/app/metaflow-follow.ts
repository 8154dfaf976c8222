// Following a Metaflow run from a thread: learning the id of a run started from chat (its run-id
// file), whether its process still lives, and posting into the thread through the outbox.
import { replyDoor, type AppContext } from './context.ts'
import type { Outgoing } from './door.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { startedNotice, type ThreadState } from '../metaflow/chat-text.ts'
import { readRunIdFile, runIdFilePath } from '../metaflow/launch.ts'
import { ownValue } from '../util/own.ts'

export async function threadState(ctx: AppContext, row: MetaflowThread): Promise<ThreadState> {
  const run = row.ebmbotRunId !== null ? await ctx.queue.getRun(row.ebmbotRunId) : undefined
  return {
    flow: row.flow,
    runId: row.runId,
    watching: row.watching,
    ...(run ? { ebmbot: { id: run.id, state: run.state, started: run.startedAt !== null } } : {}),
  }
}

/** Messages about a thread go back through the door it was opened from (webhooks report in Slack). */

export async function postToThread(
  ctx: AppContext,
  row: MetaflowThread,
  text: string,
): Promise<void> {
  const msg: Outgoing = {
    kind: 'message',
    purpose: 'report',
    channel: row.channel,
    threadTs: row.threadTs || null,
    text,
  }
  await ctx.queue.enqueueOutgoing(ctx.now(), replyDoor(ctx, row), [msg], row.ebmbotRunId)
  ctx.wake.outbox.notify()
}

/**
 * For a run started from chat whose id is not known yet: reads the run-id file (named after the
 * ebmbot run) and records the id. Recording and the "started" notice are one unit of work, and
 * only the first of the watcher and a chat reply records it, so the notice is posted once.
 */
export async function learnRunId(ctx: AppContext, row: MetaflowThread): Promise<MetaflowThread> {
  if (row.runId !== null || row.ebmbotRunId === null) return row
  const ebmbotRunId = row.ebmbotRunId
  const id = await readRunIdFile(runIdFilePath(ctx.env.stateDir, ebmbotRunId))
  if (!id) return row
  const linked = await ctx.queue.atomically(async (q) => {
    const updated = await q.recordRunId(ctx.now(), row.id, ebmbotRunId, id)
    if (updated)
      await postToThread(
        { ...ctx, queue: q },
        updated,
        startedNotice(`${updated.flow}/${id}`, ebmbotRunId, updated.watching),
      )
    return updated
  })
  if (linked)
    ctx.log.info('metaflow.run_linked', { run: ebmbotRunId, flow: row.flow, metaflow_run: id })
  return linked ?? row
}

/**
 * Whether the process running this Metaflow run lives, when the bot knows: it does when the bot
 * started it (the thread's ebmbot run, or the running job of the flow whose run-id file names
 * it). Local runs send no heartbeats, so without this they can never be "running".
 */
export async function processAlive(
  ctx: AppContext,
  flow: string,
  runId: string,
  row?: MetaflowThread,
): Promise<boolean | undefined> {
  if (row && row.ebmbotRunId !== null && row.flow === flow && row.runId === runId) {
    const run = await ctx.queue.getRun(row.ebmbotRunId)
    if (run) return run.state === 'running'
  }
  const configured = ctx.config.metaflow && ownValue(ctx.config.metaflow.flows, flow)
  if (!configured) return undefined
  // At most one run per job type runs at a time (a unique index), so this is that run.
  const running = await ctx.queue.runningOfType(configured.jobType)
  if (running && (await readRunIdFile(runIdFilePath(ctx.env.stateDir, running.id))) === runId)
    return true
  return undefined
}
