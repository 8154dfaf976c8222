// Every statement and transition of the SQLite queue, by name: the Queue interface is these,
// asynchronous and without the connection argument (see queue.ts).
import { decideApproval, expireApprovals, requestApproval } from './approval.ts'
import { clearAway, getAway, setAway } from './away.ts'
import { cancelPending, removeJob } from './cancel.ts'
import { claimNext } from './claim.ts'
import { finishRun, recordStart } from './finish.ts'
import { findRuns } from './find-runs.ts'
import { listHistory, setQuiet, threadRun } from './history.ts'
import {
  followInThread,
  getThread,
  getThreadById,
  recordRunId,
  recordStatus,
  releaseEbmbotRun,
  setWatching,
  threadsToWatch,
  watchFrom,
} from './metaflow-threads.ts'
import {
  ebmbotRunOf,
  parkThread,
  threadsOfConversation,
  threadsOfEbmbotRun,
} from './metaflow-started.ts'
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
  outboxHeads,
  pendingOutgoing,
} from './outbox.ts'
import { outboxBacklog } from './outbox-stats.ts'
import { setProgressMessage, touchProgress } from './progress.ts'
import { cancelRequests, getRun, nextWakeAt, runningOfType, runningRuns, snapshot } from './read.ts'
import { scheduleRequest } from './schedule.ts'
import { isSeen, markSeen, markSeenWithin, seenRun, unmarkSeen } from './seen.ts'
import { setRequestCommand } from './set-command.ts'
import { queueStats } from './stats.ts'
import { addSuppression, cancelSuppressions, openSuppressions } from './suppress.ts'
import {
  getWorker,
  heartbeat,
  liveWorkers,
  markStopped,
  registerWorker,
  retireWorker,
} from './workers.ts'

export const statements = {
  // requests and runs
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
  // reading runs
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
  // suppressions
  addSuppression,
  cancelSuppressions,
  openSuppressions,
  // the outbox
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
  // deliveries already taken
  markSeen,
  markSeenWithin,
  unmarkSeen,
  isSeen,
  seenRun,
  // bot processes
  registerWorker,
  heartbeat,
  markStopped,
  getWorker,
  liveWorkers,
  retireWorker,
  // Metaflow conversations
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
  // out of office, channels
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
