// Following a Metaflow run from a thread: learning the id of a run started from chat (its run-id
// file) and posting into the thread through the outbox.
import { replyDoor, type AppContext } from './context.ts'
import type { Outgoing } from './door.ts'
import { replySpotOf } from '../queue/metaflow-started.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { paramsUsed, startedNotice, type ThreadState } from '../metaflow/chat-text.ts'
import { readRunIdFile, runIdFilePath } from '../metaflow/launch.ts'

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
    threadTs: replySpotOf(row) || null,
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
  const job = await ctx.queue.getRun(ebmbotRunId)
  const used = job ? paramsUsed(job.params, ctx.config.metaflow?.flows[row.flow]) : undefined
  const linked = await ctx.queue.atomically(async (q) => {
    const updated = await q.recordRunId(ctx.now(), row.id, ebmbotRunId, id)
    if (updated)
      await postToThread(
        { ...ctx, queue: q },
        updated,
        startedNotice(`${updated.flow}/${id}`, ebmbotRunId, updated.watching, used),
      )
    return updated
  })
  if (linked)
    ctx.log.info('metaflow.run_linked', { run: ebmbotRunId, flow: row.flow, metaflow_run: id })
  return linked ?? row
}

/**
 * Called as a flow's ebmbot job ends, before its report is stored: the threads following it learn
 * the run id now, so their "started" notice comes before the report even for a flow quicker than
 * the watcher's interval.
 */
export async function learnRunIdsOf(ctx: AppContext, ebmbotRunId: number): Promise<void> {
  for (const row of await ctx.queue.threadsOfEbmbotRun(ebmbotRunId)) await learnRunId(ctx, row)
}
