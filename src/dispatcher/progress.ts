import { replyDoor, type AppContext } from '../app/context.ts'
import { replyTraitsOf } from '../app/doors.ts'
import { formatDuration } from '../util/duration.ts'
import type { Job } from '../config/types.ts'
import { finishedControls, runningControls } from '../app/controls.ts'
import type { UpdateOut } from '../app/door.ts'
import { redact } from '../util/redact.ts'
import type { Run } from '../queue/schema.ts'
import { TokenBucket } from '../util/token-bucket.ts'
import { readTail } from '../util/read-tail.ts'
import { jobSecrets } from '../config/job-secrets.ts'
import { escapeSlackText } from '../util/slack-text.ts'

/** Slack allows chat.update at roughly 50 a minute per workspace; stay well under it. */
export const EDITS_PER_MINUTE = 30
/** How many may go at once (say, when several long jobs pass their first interval together). */
export const EDIT_BURST = 10

const OUTCOME: Record<string, string> = {
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  timed_out: ':hourglass: timed out',
  cancelled: ':no_entry_sign: was cancelled',
  lost: ':warning: was lost (the bot restarted)',
}

/**
 * A terminal cannot edit a line: a door that cannot edit gets a new progress line instead, less
 * often than Slack's edits (six progress intervals, 30 s by default), so a long job shows it is
 * alive without flooding the conversation.
 */
const LOCAL_PROGRESS_INTERVALS = 6

function runningText(
  run: Pick<Run, 'id' | 'jobType'>,
  elapsedMs: number,
  lastLine: string,
): string {
  const line = lastLine ? `\n\`${escapeSlackText(lastLine.slice(0, 300).replace(/`/g, "'"))}\`` : ''
  return `:hourglass_flowing_sand: \`${run.jobType}\` (run ${run.id}) is running: ${formatDuration(elapsedMs)} so far.${line}`
}

function finishedText(
  run: Pick<Run, 'id' | 'jobType' | 'state' | 'startedAt' | 'finishedAt'>,
): string {
  const took =
    run.startedAt && run.finishedAt
      ? ` after ${formatDuration(run.finishedAt - run.startedAt)}`
      : ''
  return `\`${run.jobType}\` (run ${run.id}) ${OUTCOME[run.state] ?? run.state}${took}.`
}

/** The outbox row of a run's progress message, if it has one. */
const progressRow = (run: Pick<Run, 'progressOutboxId'>): number | null => run.progressOutboxId

/** The last non-empty line of a log file (read from its end only). */
async function lastLine(path: string | null, secrets: readonly string[]): Promise<string> {
  const tail = await readTail(path, 4096)
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return redact(lines.at(-1) ?? '', secrets)
}

export class ProgressReporter {
  private readonly budget: TokenBucket

  constructor(private readonly ctx: AppContext) {
    this.budget = new TokenBucket(EDITS_PER_MINUTE, EDIT_BURST, ctx.now())
  }

  /** Posts the editable message for a run that reports to Slack. */
  private async begin(run: Run, now: number, line: string): Promise<void> {
    const text = runningText(run, now - (run.startedAt ?? now), line)
    const [row] = await this.ctx.queue.enqueueOutgoing(
      now,
      replyDoor(this.ctx, run),
      [
        {
          kind: 'message',
          purpose: 'progress',
          channel: run.channel,
          threadTs: run.threadTs,
          text,
          controls: runningControls(run.id),
        },
      ],
      run.id,
    )
    await this.ctx.queue.setProgressMessage(run.id, row!.id, now)
  }

  /** One more progress line, for a door that cannot edit, once its (longer) interval has passed. */
  private async newLine(started: Run, job: Job, every: number): Promise<void> {
    const q = this.ctx.queue
    const run = await q.getRun(started.id)
    if (!run || run.quiet || run.state !== 'running') return
    const now = this.ctx.now()
    if (now - (run.progressAt ?? run.startedAt ?? now) < every) return
    const line = await lastLine(run.stdoutPath, [
      ...this.ctx.reports.secrets,
      ...jobSecrets(job, this.ctx.env.vars),
    ])
    const text = runningText(run, now - (run.startedAt ?? now), line)
    await q.enqueueOutgoing(
      now,
      replyDoor(this.ctx, run),
      [
        {
          kind: 'message',
          purpose: 'progress',
          channel: run.channel,
          threadTs: run.threadTs,
          text,
        },
      ],
      run.id,
    )
    await q.touchProgress(run.id, now)
    this.ctx.wake.outbox.notify()
  }

  /** Edits the messages of live runs whose interval has passed, while the budget lasts. */
  async tick(live: { run: Run; job: Job }[]): Promise<void> {
    const q = this.ctx.queue
    const interval = this.ctx.config.settings.progress_interval * 1000
    for (const { run: started, job } of live) {
      if (!job.progress) continue
      if (!replyTraitsOf(this.ctx.doors, started.door).edits) {
        await this.newLine(started, job, interval * LOCAL_PROGRESS_INTERVALS)
        continue
      }
      const run = await q.getRun(started.id)
      if (!run || run.quiet || run.state !== 'running') continue
      const now = this.ctx.now()
      const row = progressRow(run)
      // The first message after one interval of running; each edit one interval after the last.
      if (
        now - (row ? (run.progressAt ?? 0) : (run.startedAt ?? now)) < interval ||
        !this.budget.take(now)
      )
        continue
      const line = await lastLine(run.stdoutPath, [
        ...this.ctx.reports.secrets,
        ...jobSecrets(job, this.ctx.env.vars),
      ])
      // `quiet` or the outcome may have landed while the log was read: they win.
      const still = await q.getRun(run.id)
      if (!still || still.quiet || still.state !== 'running') continue
      if (!row) {
        await this.begin(run, now, line)
        this.ctx.wake.outbox.notify()
        continue
      }
      const text = runningText(run, now - (run.startedAt ?? now), line)
      await q.enqueueUpdate(
        now,
        replyDoor(this.ctx, run),
        {
          kind: 'update',
          purpose: 'progress',
          channel: run.channel,
          editOf: row,
          text,
          controls: runningControls(run.id),
        },
        run.id,
      )
      await q.touchProgress(run.id, now)
      this.ctx.wake.outbox.notify()
    }
  }
}

/** The last edit, written with the outcome (in the same transaction as the report). */
export function finalEdit(run: Run): UpdateOut | null {
  const row = progressRow(run)
  if (!row) return null
  const text = finishedText(run)
  return {
    kind: 'update',
    purpose: 'progress',
    channel: run.channel,
    editOf: row,
    text,
    controls: finishedControls(run.id),
  }
}
