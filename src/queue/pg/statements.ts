// Every statement of the PostgreSQL queue, by name: the same table as ../statements.ts, each
// taking a PostgreSQL connection (or transaction) and answering with a promise.
import type { statements as sqliteStatements } from '../statements.ts'
import { claimNext } from './claim.ts'
import { findRuns } from './find-runs.ts'
import type { PgDb } from './db.ts'
import { clearAway, getAway, setAway } from './away.ts'
import {
  ebmbotRunOf,
  followInThread,
  getThread,
  getThreadById,
  parkThread,
  recordRunId,
  recordStatus,
  releaseEbmbotRun,
  setWatching,
  threadsOfConversation,
  threadsOfEbmbotRun,
  threadsToWatch,
  watchFrom,
} from './metaflow-threads.ts'
import { moveChannel } from './move-channel.ts'
import {
  seeSchedule,
  lastSlotBefore,
  takeSlot,
  setSlotRun,
  pauseSchedule,
  resumeSchedule,
  scheduleView,
} from './schedule-slots.ts'
import {
  enqueueOutgoing,
  enqueueUpdate,
  getOutgoing,
  markFailed,
  takeOutgoing,
  markRetry,
  markSent,
  outboxBacklog,
  outboxHeads,
  pendingOutgoing,
} from './outbox.ts'
import {
  cancelRequests,
  getRun,
  listHistory,
  nextWakeAt,
  queueStats,
  runningOfType,
  runningRuns,
  snapshot,
  threadRun,
} from './read.ts'
import {
  cancelPending,
  finishRun,
  recordStart,
  removeJob,
  setProgressMessage,
  setQuiet,
  touchProgress,
} from './runs.ts'
import {
  decideApproval,
  expireApprovals,
  requestApproval,
  scheduleRequest,
  setRequestCommand,
} from './schedule.ts'
import { isSeen, markSeen, markSeenWithin, seenRun, unmarkSeen } from './seen.ts'
import { addSuppression, cancelSuppressions, openSuppressions } from './suppress.ts'
import {
  getWorker,
  heartbeat,
  liveWorkers,
  markStopped,
  registerWorker,
  retireWorker,
} from './workers.ts'

type Sqlite = typeof sqliteStatements
/** The SQLite statement's signature over a PostgreSQL connection, answering later. */
type OnPg<F> = F extends (db: never, ...args: infer A) => infer R
  ? (db: PgDb, ...args: A) => Promise<Awaited<R>>
  : never

export const pgStatements: { readonly [K in keyof Sqlite]: OnPg<Sqlite[K]> } = {
  scheduleRequest,
  setRequestCommand,
  requestApproval,
  decideApproval,
  expireApprovals,
  cancelPending,
  removeJob,
  claimNext,
  recordStart,
  finishRun,
  setQuiet,
  setProgressMessage,
  touchProgress,
  getRun,
  runningRuns,
  runningOfType,
  cancelRequests,
  threadRun,
  listHistory,
  findRuns,
  snapshot,
  nextWakeAt,
  queueStats,
  addSuppression,
  cancelSuppressions,
  openSuppressions,
  enqueueOutgoing,
  enqueueUpdate,
  getOutgoing,
  pendingOutgoing,
  outboxHeads,
  markSent,
  takeOutgoing,
  markRetry,
  markFailed,
  outboxBacklog,
  markSeen,
  markSeenWithin,
  unmarkSeen,
  isSeen,
  seenRun,
  registerWorker,
  heartbeat,
  markStopped,
  getWorker,
  liveWorkers,
  retireWorker,
  getThread,
  getThreadById,
  followInThread,
  releaseEbmbotRun,
  setWatching,
  watchFrom,
  recordRunId,
  recordStatus,
  threadsToWatch,
  ebmbotRunOf,
  threadsOfEbmbotRun,
  threadsOfConversation,
  parkThread,
  getAway,
  setAway,
  clearAway,
  moveChannel,
  // config schedules
  seeSchedule,
  lastSlotBefore,
  takeSlot,
  setSlotRun,
  pauseSchedule,
  resumeSchedule,
  scheduleView,
}
