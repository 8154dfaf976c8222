// Following a Metaflow run from a thread: learning the id of a run started from chat (its run-id
// file), whether its process still lives, and posting into the thread through the outbox.
import { and, eq } from 'drizzle-orm'
import type { AppContext } from '../app/context.ts'
import { recordRunId } from '../queue/metaflow-threads.ts'
import type { Outgoing } from '../notify/outgoing.ts'
import { ownValue } from '../util/own.ts'
import { enqueueOutgoing } from '../queue/outbox.ts'
import { getRun } from '../queue/read.ts'
import { runs, type Door, type MetaflowThread } from '../queue/schema.ts'
import { startedNotice, type ThreadState } from './chat-text.ts'
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
    threadTs: row.threadTs || null,
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
  const linked = db.transaction(
    () => {
      const updated = recordRunId(db, ctx.now(), row.id, ebmbotRunId, id)
      if (updated)
        postToThread(
          ctx,
          updated,
          startedNotice(`${updated.flow}/${id}`, ebmbotRunId, updated.watching),
        )
      return updated
    },
    { behavior: 'immediate' },
  )
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
    const run = getRun(ctx.queue.db, row.ebmbotRunId)
    if (run) return run.state === 'running'
  }
  const configured = ctx.config.metaflow && ownValue(ctx.config.metaflow.flows, flow)
  if (!configured) return undefined
  // At most one run per job type runs at a time (a unique index), so this is that run.
  const running = ctx.queue.db
    .select()
    .from(runs)
    .where(and(eq(runs.jobType, configured.jobType), eq(runs.state, 'running')))
    .get()
  if (running && (await readRunIdFile(runIdFilePath(ctx.env.stateDir, running.id))) === runId)
    return true
  return undefined
}
