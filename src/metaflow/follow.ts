// Following a Metaflow run from a thread: learning the id of a run started from chat (its run-id
// file) and posting into the thread through the outbox.
import type { AppContext } from '../app/context.ts'
import { replySpotOf } from '../queue/metaflow-started.ts'
import { recordRunId } from '../queue/metaflow-threads.ts'
import type { Outgoing } from '../notify/outgoing.ts'
import { enqueueOutgoing } from '../queue/outbox.ts'
import { getRun } from '../queue/read.ts'
import type { Door, MetaflowThread } from '../queue/schema.ts'
import { paramsUsed, startedNotice, type ThreadState } from './chat-text.ts'
import { readRunIdFile, runIdFilePath } from './launch.ts'

export function threadState(ctx: AppContext, row: MetaflowThread): ThreadState {
  const run = row.ebmbotRunId !== null ? getRun(ctx.queue.db, row.ebmbotRunId) : undefined
  return {
    flow: row.flow,
    runId: row.runId,
    watching: row.watching,
    ...(run ? { ebmbot: { id: run.id, state: run.state, started: run.startedAt !== null } } : {}),
  }
}

/** Messages about a thread go back through the door it was opened from (webhooks report in Slack). */
export const threadDoor = (row: Pick<MetaflowThread, 'door'>): Door =>
  row.door === 'local' ? 'local' : 'slack'

export function postToThread(ctx: AppContext, row: MetaflowThread, text: string): void {
  const msg: Outgoing = {
    kind: 'message',
    purpose: 'report',
    channel: row.channel,
    threadTs: replySpotOf(row) || null,
    text,
  }
  enqueueOutgoing(ctx.queue.db, ctx.now(), threadDoor(row), [msg], row.ebmbotRunId)
  ctx.wake.outbox.notify()
}

/**
 * For a run started from chat whose id is not known yet: reads the run-id file (named after the
 * ebmbot run) and records the id. Recording and the "started" notice are one transaction, and
 * only the first of the watcher and a chat reply records it, so the notice is posted once.
 */
export async function learnRunId(ctx: AppContext, row: MetaflowThread): Promise<MetaflowThread> {
  if (row.runId !== null || row.ebmbotRunId === null) return row
  const ebmbotRunId = row.ebmbotRunId
  const id = await readRunIdFile(runIdFilePath(ctx.env.stateDir, ebmbotRunId))
  if (!id) return row
  const { db } = ctx.queue
  const job = getRun(db, ebmbotRunId)
  const used = job ? paramsUsed(job.params, ctx.config.metaflow?.flows[row.flow]) : undefined
  const linked = db.transaction(
    () => {
      const updated = recordRunId(db, ctx.now(), row.id, ebmbotRunId, id)
      if (updated)
        postToThread(
          ctx,
          updated,
          startedNotice(`${updated.flow}/${id}`, ebmbotRunId, updated.watching, used),
        )
      return updated
    },
    { behavior: 'immediate' },
  )
  if (linked)
    ctx.log.info('metaflow.run_linked', { run: ebmbotRunId, flow: row.flow, metaflow_run: id })
  return linked ?? row
}
