// Drizzle schema: the queue, run history, suppressions, outbox and worker registry.
//
// One `runs` row is a request from the moment it is accepted; it becomes a run when claimed and
// keeps its id (AUTOINCREMENT: ids are never reused, so "run 42" always means one thing).
// Nothing is deleted when a run ends: the row is the history.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const RUN_STATES = [
  'awaiting_approval',
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'lost',
] as const
export type RunState = (typeof RUN_STATES)[number]
export const FINAL_STATES: readonly RunState[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'lost',
]

/** Which front door a request came through (`slack`, `local`, `github`, …); see app/door.ts. */
export type Door = string

export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    namespace: text('namespace').notNull(),
    job: text('job').notNull(),
    jobType: text('job_type').notNull(),
    state: text('state').$type<RunState>().notNull(),
    /** epoch ms; the dispatcher claims pending rows whose due time has passed */
    dueAt: integer('due_at').notNull(),
    queuedAt: integer('queued_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    door: text('door').$type<Door>().notNull(),
    requestedBy: text('requested_by').notNull(),
    channel: text('channel').notNull(),
    /** the reply spot: every answer about this request goes to this thread */
    threadTs: text('thread_ts'),
    /** the triggering message itself (for reactions and permalinks) */
    messageTs: text('message_ts'),
    isDm: integer('is_dm', { mode: 'boolean' }).notNull().default(false),
    requestText: text('request_text').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    command: text('command').notNull(),
    exitCode: integer('exit_code'),
    signal: text('signal'),
    /** worker that claimed the row, and the job's process group leader */
    owner: text('owner'),
    pid: integer('pid'),
    /** /proc start time of pid, so recovery never signals a recycled pid */
    pidStart: text('pid_start'),
    stdoutPath: text('stdout_path'),
    stderrPath: text('stderr_path'),
    cancelRequestedBy: text('cancel_requested_by'),
    cancelledBy: text('cancelled_by'),
    /** one-line reason for a failure that is not an exit code (could not start, lost, ...) */
    detail: text('detail'),
    /** progress edits stopped by `quiet` in the run's thread */
    quiet: integer('quiet', { mode: 'boolean' }).notNull().default(false),
    /** the message edited with live progress, and when it was last edited */
    progressOutboxId: integer('progress_outbox_id'),
    progressAt: integer('progress_at'),
    /** confirmation of `confirm: true` jobs: the decision, who made it and when */
    approval: text('approval').$type<'required' | 'approved' | 'denied' | 'expired'>(),
    approvalBy: text('approval_by'),
    approvalAt: integer('approval_at'),
    approvalExpiresAt: integer('approval_expires_at'),
  },
  (t) => [
    // Serves the claim: pending rows in (due_at, id) order, nothing else scanned.
    index('runs_claim_idx').on(t.dueAt, t.id).where(sql`state = 'pending'`),
    // The scheduling rules as constraints: at most one pending and one running row per job type,
    // whoever writes (two dispatchers, chat and serve on one file) cannot break them.
    uniqueIndex('runs_one_pending_per_type').on(t.jobType).where(sql`state = 'pending'`),
    uniqueIndex('runs_one_running_per_type').on(t.jobType).where(sql`state = 'running'`),
    index('runs_history_idx').on(t.jobType, t.id),
    // The web page's history filters, each newest first by id (keyset paging).
    index('runs_namespace_idx').on(t.namespace, t.id),
    index('runs_state_idx').on(t.state, t.id),
    index('runs_requester_idx').on(t.requestedBy, t.id),
    index('runs_queued_idx').on(t.queuedAt),
    // A run's thread finds its run: `status`, `logs`, `cancel` typed in the thread.
    index('runs_thread_idx').on(t.channel, t.threadTs),
    // The dispatcher's pass times out approvals: without this it would scan all history.
    index('runs_awaiting_idx').on(t.approvalExpiresAt).where(sql`state = 'awaiting_approval'`),
  ],
)

export const suppressions = sqliteTable(
  'suppressions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobType: text('job_type').notNull(),
    startAt: integer('start_at').notNull(),
    endAt: integer('end_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('suppressions_type_idx').on(t.jobType, t.endAt)],
)

export type OutboxState = 'pending' | 'sent' | 'failed'

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** which transport delivers it: a chat session prints, the Slack notifier posts */
    door: text('door').$type<Door>().notNull(),
    runId: integer('run_id'),
    payload: text('payload', { mode: 'json' }).notNull(),
    state: text('state').$type<OutboxState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    /** what the transport returned (e.g. the posted message's ts), for later edits and links */
    result: text('result', { mode: 'json' }),
    /**
     * the bot process (workers.id) that took the message to send it: while that process lives,
     * no other sends it; once it is gone, a survivor may take it over (see takeOutgoing)
     */
    sender: text('sender'),
  },
  // The deliverer reads a door's pending rows in id order (channel order), never the sent ones,
  // and each channel's oldest pending row by channel: a skip over the channels, not a scan of
  // every pending row's JSON (a burst of a thousand reactions in one channel made that O(n²)).
  (t) => [
    index('outbox_pending_idx').on(t.door, t.id).where(sql`state = 'pending'`),
    index('outbox_channel_idx')
      .on(t.door, sql`json_extract(payload, '$.channel')`, t.id)
      .where(sql`state = 'pending'`),
  ],
)

export const workers = sqliteTable('workers', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  pidStart: text('pid_start'),
  startedAt: integer('started_at').notNull(),
  heartbeatAt: integer('heartbeat_at').notNull(),
  /** set when it stopped, or when a peer found it dead (no heartbeat within the lease) */
  stoppedAt: integer('stopped_at'),
  /** the instance's tags (EBMBOT_INSTANCE_TAGS): which `runs_on` jobs it may take */
  tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
})

/** Deliveries already accepted (Slack event ids, message ts, GitHub delivery ids). */
export const seen = sqliteTable(
  'seen',
  {
    source: text('source').notNull(),
    key: text('key').notNull(),
    seenAt: integer('seen_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.source, t.key] })],
)

export type Run = typeof runs.$inferSelect
export type NewRun = typeof runs.$inferInsert
export type Suppression = typeof suppressions.$inferSelect
export type OutboxRow = typeof outbox.$inferSelect
export type Worker = typeof workers.$inferSelect

/** The last status of a Metaflow run a thread follows, as the watcher saw (and announced) it. */
export type MetaflowThreadStatus =
  | 'running'
  | 'finished'
  | 'failed'
  | 'lost'
  | 'cancelled'
  | 'not_started'

/**
 * Metaflow state of one conversation: a Slack thread (its reply spot), or a whole chat without
 * threads (`thread_ts` ''). It records which run the thread inspects, whether it is watched, the
 * last status announced (so a restart neither repeats nor loses a notice), and the ebmbot run
 * that started the flow, when one did (its run id is learned from the run-id file).
 */
export const metaflowThreads = sqliteTable(
  'metaflow_threads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    door: text('door').$type<Door>().notNull(),
    channel: text('channel').notNull(),
    threadTs: text('thread_ts').notNull(),
    flow: text('flow').notNull(),
    /** the Metaflow run id; null while a run started from chat has not reported it */
    runId: text('run_id'),
    watching: integer('watching', { mode: 'boolean' }).notNull().default(false),
    lastStatus: text('last_status').$type<MetaflowThreadStatus>(),
    ebmbotRunId: integer('ebmbot_run_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('metaflow_threads_thread').on(t.channel, t.threadTs),
    // `cancel`, `rerun` and liveness checks go from an ebmbot run to the thread following it.
    index('metaflow_threads_ebmbot_idx').on(t.ebmbotRunId),
  ],
)

export type MetaflowThread = typeof metaflowThreads.$inferSelect

/**
 * Out of office of a support route, one row per route (today only `tech-support`):
 * while today (UTC) is within the dates, people asking for it are told it is away. Kept here, not
 * in memory, so a restart keeps them; a row past its end date simply no longer applies.
 */
export const supportAway = sqliteTable('support_away', {
  route: text('route').primaryKey(),
  /** UTC days, `YYYY-MM-DD`, both included */
  startsOn: text('starts_on').notNull(),
  endsOn: text('ends_on').notNull(),
  setBy: text('set_by').notNull(),
  setAt: integer('set_at').notNull(),
})

export type SupportAway = typeof supportAway.$inferSelect

/** What became of one slot of a schedule. */
export type SlotOutcome = 'fired' | 'missed' | 'paused' | 'skipped'

/**
 * One row per decided slot of a config schedule (`<namespace>/<name>`, the slot's epoch ms). The
 * primary key is the once-per-slot guarantee: every bot sharing the queue inserts the slot it
 * finds due, and only the one whose insert lands fires it, in the same transaction, so a restart
 * or a second instance never fires it again. `skip next` inserts the coming slot as skipped.
 * Only the latest slot of a gap gets a row: a week down is one row, not ten thousand.
 */
export const scheduleSlots = sqliteTable(
  'schedule_slots',
  {
    schedule: text('schedule').notNull(),
    slotAt: integer('slot_at').notNull(),
    outcome: text('outcome').$type<SlotOutcome>().notNull(),
    decidedAt: integer('decided_at').notNull(),
    /** the bot process that decided it, or the person who said `skip next` */
    decidedBy: text('decided_by').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.schedule, t.slotAt] })],
)

/**
 * A schedule's state that outlives restarts: when a bot first saw it (no slot before that ever
 * runs, so adding a schedule does not fire a slot of last week), and a pause by `pause`.
 */
export const scheduleState = sqliteTable('schedule_state', {
  schedule: text('schedule').primaryKey(),
  since: integer('since').notNull(),
  pausedAt: integer('paused_at'),
  pausedBy: text('paused_by'),
})

export type ScheduleSlot = typeof scheduleSlots.$inferSelect
export type ScheduleState = typeof scheduleState.$inferSelect
