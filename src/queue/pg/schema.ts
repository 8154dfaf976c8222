// Drizzle pg-core schema of the PostgreSQL queue: the same tables, columns and indexes as the
// SQLite one (../schema.ts), so both backends answer with the same row types. Epoch-ms times are
// bigint (they pass 2^31), read back as JavaScript numbers; JSON columns are jsonb.
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import type { Door, MetaflowThreadStatus, OutboxState, RunState, SlotOutcome } from '../schema.ts'

const ms = (name: string) => bigint(name, { mode: 'number' })
// Identity ids are never reused, like SQLite's AUTOINCREMENT: "run 42" always means one thing.
const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity()

export const runs = pgTable(
  'runs',
  {
    id: id(),
    namespace: text('namespace').notNull(),
    job: text('job').notNull(),
    jobType: text('job_type').notNull(),
    state: text('state').$type<RunState>().notNull(),
    dueAt: ms('due_at').notNull(),
    queuedAt: ms('queued_at').notNull(),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
    door: text('door').$type<Door>().notNull(),
    requestedBy: text('requested_by').notNull(),
    channel: text('channel').notNull(),
    threadTs: text('thread_ts'),
    messageTs: text('message_ts'),
    isDm: boolean('is_dm').notNull().default(false),
    requestText: text('request_text').notNull(),
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    command: text('command').notNull(),
    exitCode: integer('exit_code'),
    signal: text('signal'),
    owner: text('owner'),
    pid: integer('pid'),
    pidStart: text('pid_start'),
    stdoutPath: text('stdout_path'),
    stderrPath: text('stderr_path'),
    cancelRequestedBy: text('cancel_requested_by'),
    cancelledBy: text('cancelled_by'),
    detail: text('detail'),
    quiet: boolean('quiet').notNull().default(false),
    progressOutboxId: integer('progress_outbox_id'),
    progressAt: ms('progress_at'),
    approval: text('approval').$type<'required' | 'approved' | 'denied' | 'expired'>(),
    approvalBy: text('approval_by'),
    approvalAt: ms('approval_at'),
    approvalExpiresAt: ms('approval_expires_at'),
  },
  (t) => [
    index('runs_claim_idx').on(t.dueAt, t.id).where(sql`state = 'pending'`),
    // The scheduling rules as constraints, whichever instance writes.
    uniqueIndex('runs_one_pending_per_type').on(t.jobType).where(sql`state = 'pending'`),
    uniqueIndex('runs_one_running_per_type').on(t.jobType).where(sql`state = 'running'`),
    index('runs_history_idx').on(t.jobType, t.id),
    // The web page's history filters, each newest first by id (keyset paging).
    index('runs_namespace_idx').on(t.namespace, t.id),
    index('runs_state_idx').on(t.state, t.id),
    index('runs_requester_idx').on(t.requestedBy, t.id),
    index('runs_queued_idx').on(t.queuedAt),
    index('runs_thread_idx').on(t.channel, t.threadTs),
    index('runs_awaiting_idx').on(t.approvalExpiresAt).where(sql`state = 'awaiting_approval'`),
  ],
)

export const suppressions = pgTable(
  'suppressions',
  {
    id: id(),
    jobType: text('job_type').notNull(),
    startAt: ms('start_at').notNull(),
    endAt: ms('end_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('suppressions_type_idx').on(t.jobType, t.endAt)],
)

export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    door: text('door').$type<Door>().notNull(),
    runId: integer('run_id'),
    payload: jsonb('payload').notNull(),
    state: text('state').$type<OutboxState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
    result: jsonb('result'),
    sender: text('sender'),
  },
  // As on SQLite: each channel's oldest pending row is found through this index, not by reading
  // every pending row's JSON.
  (t) => [
    index('outbox_pending_idx').on(t.door, t.id).where(sql`state = 'pending'`),
    index('outbox_channel_idx')
      .on(t.door, sql`(payload->>'channel')`, t.id)
      .where(sql`state = 'pending'`),
  ],
)

export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  pidStart: text('pid_start'),
  startedAt: ms('started_at').notNull(),
  heartbeatAt: ms('heartbeat_at').notNull(),
  stoppedAt: ms('stopped_at'),
  tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
})

export const seen = pgTable(
  'seen',
  {
    source: text('source').notNull(),
    key: text('key').notNull(),
    seenAt: ms('seen_at').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.source, t.key] })],
)

export const metaflowThreads = pgTable(
  'metaflow_threads',
  {
    id: id(),
    door: text('door').$type<Door>().notNull(),
    channel: text('channel').notNull(),
    threadTs: text('thread_ts').notNull(),
    flow: text('flow').notNull(),
    runId: text('run_id'),
    watching: boolean('watching').notNull().default(false),
    lastStatus: text('last_status').$type<MetaflowThreadStatus>(),
    ebmbotRunId: integer('ebmbot_run_id'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('metaflow_threads_thread').on(t.channel, t.threadTs),
    index('metaflow_threads_ebmbot_idx').on(t.ebmbotRunId),
  ],
)

export const supportAway = pgTable('support_away', {
  route: text('route').primaryKey(),
  startsOn: text('starts_on').notNull(),
  endsOn: text('ends_on').notNull(),
  setBy: text('set_by').notNull(),
  setAt: ms('set_at').notNull(),
})

export const scheduleSlots = pgTable(
  'schedule_slots',
  {
    schedule: text('schedule').notNull(),
    slotAt: ms('slot_at').notNull(),
    outcome: text('outcome').$type<SlotOutcome>().notNull(),
    decidedAt: ms('decided_at').notNull(),
    decidedBy: text('decided_by').notNull(),
    runId: integer('run_id'),
  },
  (t) => [primaryKey({ columns: [t.schedule, t.slotAt] })],
)

export const scheduleState = pgTable('schedule_state', {
  schedule: text('schedule').primaryKey(),
  since: ms('since').notNull(),
  pausedAt: ms('paused_at'),
  pausedBy: text('paused_by'),
})
