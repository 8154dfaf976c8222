// The dispatcher: claims due requests and runs them as process groups.
//
// Run states and what moves them:
//   pending  --claim (due, type idle, not suppressed, under max_parallel)-->  running
//   running  --exit 0--> succeeded   --exit != 0 / could not start--> failed
//   running  --timeout: SIGTERM group, SIGKILL after grace--> timed_out
//   running  --remove job id (cancel requested in the row)--> cancelled
//   running  --owner died (crash, kill -9) or shutdown grace ran out--> lost
//   pending  --cancel job / remove job id--> cancelled (queue/cancel.ts)
// Enqueueing wakes the loop at once; a timer covers the next due time or suppression end, and a
// slow poll covers rows written by other processes.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { expireDue } from '../app/approvals.ts'
import { type AppContext, replyDoor } from '../app/context.ts'
import { findJob, type Job, type Namespace } from '../config/types.ts'
import { startNotice } from '../app/reports.ts'
import type { Run } from '../queue/schema.ts'
import { errorText } from '../util/log.ts'
import { callbackEnv } from './callback-url.ts'
import { fetchFiles } from './fetch-files.ts'
import { recordOutcome } from './finish.ts'
import { jobEnvironment } from './job-env.ts'
import { killGroup } from './kill-group.ts'
import { runLogDir } from './log-paths.ts'
import { processStartTime } from './proc.ts'
import { ProgressReporter } from './progress.ts'
import { recoverOrphans } from './recover.ts'

interface Live {
  run: Run
  job: Job
  proc: Subprocess
  timer?: ReturnType<typeof setTimeout>
  stop?: { reason: 'timeout' | 'cancel' | 'shutdown'; by?: string }
  /** whether the pid and log paths reached the database (retried at exit if not) */
  recorded: boolean
  exited: Promise<void>
}

export class Dispatcher {
  private readonly live = new Map<number, Live>()
  private stopping = false
  /** runs claimed and waiting for their namespace's files before they start */
  private fetching = 0
  private lastPass = Date.now()
  private readonly progress: ProgressReporter
  private progressTimer?: ReturnType<typeof setInterval>
  private loop?: Promise<void>

  constructor(private readonly ctx: AppContext) {
    this.progress = new ProgressReporter(ctx)
  }

  get running(): number {
    return this.live.size
  }

  start(): void {
    this.ctx.health.set('dispatcher', () => ({
      ok:
        !this.stopping &&
        this.ctx.now() - this.lastPass <
          Math.max(30_000, this.ctx.config.settings.poll_interval * 3000),
      detail: { running: this.live.size, last_pass_ms_ago: this.ctx.now() - this.lastPass },
    }))
    // Progress edits are paced by their own interval and budget, not by the queue loop. Checking
    // four times per interval keeps each gap within a quarter interval of it, even when a late
    // timer makes one check fall just short; one check at a time, however slow the disk.
    const every = Math.min(
      1000,
      Math.max(100, (this.ctx.config.settings.progress_interval * 1000) / 4),
    )
    let ticking = false
    this.progressTimer ??= setInterval(() => {
      if (!this.live.size || ticking) return
      ticking = true
      void this.progress
        .tick([...this.live.values()])
        .catch((e) => this.ctx.log.warn('progress.failed', { error: errorText(e) }))
        .finally(() => (ticking = false))
    }, every)
    this.loop ??= this.run()
  }

  private async run(): Promise<void> {
    const { ctx } = this
    const pollMs = ctx.config.settings.poll_interval * 1000
    while (!this.stopping) {
      this.lastPass = ctx.now()
      try {
        await ctx.queue.heartbeat(ctx.now(), ctx.workerId)
        await recoverOrphans(ctx)
        await expireDue(ctx)
        await this.applyCancelRequests()
        await this.claimAndLaunch()
      } catch (e) {
        ctx.log.error('dispatcher.pass_failed', { error: errorText(e) })
      }
      if (this.stopping) break
      const next = await ctx.queue.nextWakeAt(ctx.now())
      await ctx.wake.dispatch.wait(next === null ? pollMs : Math.min(pollMs, next - ctx.now() + 5))
    }
  }

  private async claimAndLaunch(): Promise<void> {
    const max = this.ctx.config.settings.max_parallel
    while (!this.stopping && this.live.size + this.fetching < max) {
      // SQLite compares with a plain number; "unlimited" is Infinity in the settings.
      const run = await this.ctx.queue.claimNext(
        this.ctx.now(),
        this.ctx.workerId,
        Math.min(max, 2 ** 31),
      )
      if (!run) return
      const ns = this.ctx.config.namespaces[run.namespace]
      if (ns?.fetch.length) void this.fetchThenLaunch(run, ns)
      else await this.launch(run)
    }
  }

  /** Files the namespace refreshes before each run come first; they count as a run starting. */
  private async fetchThenLaunch(run: Run, ns: Namespace): Promise<void> {
    this.fetching++
    try {
      try {
        mkdirSync(ns.workdir, { recursive: true })
        await fetchFiles(this.ctx, ns, run)
      } catch (e) {
        this.ctx.log.warn('run.fetch_failed', { run: run.id, error: errorText(e) })
      }
      // Counted as fetching until it is live, so a stop waits for it.
      await this.launch(run)
    } finally {
      this.fetching--
    }
  }

  private async launch(run: Run): Promise<void> {
    const { ctx } = this
    const job = findJob(ctx.config, run.jobType)
    const ns = ctx.config.namespaces[run.namespace]
    if (!job || !ns) {
      void recordOutcome(ctx, run, ctx.workerId, {
        state: 'failed',
        detail: 'the job is no longer in the configuration',
      })
      return
    }
    let stdoutPath: string
    let stderrPath: string
    let proc: Subprocess
    try {
      mkdirSync(ns.workdir, { recursive: true })
      const dir = runLogDir(ctx.logsDir, run.jobType, run.id, run.startedAt ?? ctx.now())
      mkdirSync(dir, { recursive: true })
      stdoutPath = join(dir, 'stdout')
      stderrPath = join(dir, 'stderr')
      await ctx.queue.enqueueOutgoing(
        ctx.now(),
        replyDoor(ctx, run),
        [startNotice(run, ctx.reports)],
        run.id,
      )
      ctx.wake.outbox.notify()
      proc = Bun.spawn(['bash', '-c', run.command], {
        cwd: ns.workdir,
        env: jobEnvironment(job, ctx.env.vars, callbackEnv(ctx, run, job)),
        stdin: 'ignore',
        stdout: Bun.file(stdoutPath),
        stderr: Bun.file(stderrPath),
        detached: true, // its own process group, so timeouts and cancels reach grandchildren
      })
    } catch (e) {
      ctx.log.error('run.spawn_failed', { run: run.id, job: run.jobType, error: errorText(e) })
      void recordOutcome(ctx, run, ctx.workerId, {
        state: 'failed',
        detail: `could not start: ${errorText(e)}`,
      })
      return
    }
    const facts = { pid: proc.pid, pidStart: processStartTime(proc.pid), stdoutPath, stderrPath }
    // The process runs from here on, whatever the database says: it must be tracked (timeout,
    // exit, report) even if recording its pid fails (another writer holding the lock too long).
    let started: Run = { ...run, ...facts }
    let recorded = false
    try {
      started = (await ctx.queue.recordStart(run.id, ctx.workerId, facts)) ?? started
      recorded = true
    } catch (e) {
      ctx.log.warn('run.record_start_failed', { run: run.id, pid: proc.pid, error: errorText(e) })
    }
    ctx.log.info('run.started', {
      run: run.id,
      job: run.jobType,
      pid: proc.pid,
      requested_by: run.requestedBy,
      door: run.door,
    })
    const live: Live = { run: started, job, proc, recorded, exited: Promise.resolve() }
    live.timer = setTimeout(() => void this.stopRun(run.id, 'timeout'), job.timeoutSeconds * 1000)
    live.exited = proc.exited.then(() => this.onExit(live))
    this.live.set(run.id, live)
  }

  private async onExit(live: Live): Promise<void> {
    clearTimeout(live.timer)
    const { proc, run } = live
    // After a stop the leader may die before its children: wait for the whole group.
    if (live.stop) await killGroup(proc.pid, this.ctx.config.settings.kill_grace * 1000)
    if (!live.recorded) {
      try {
        await this.ctx.queue.recordStart(run.id, this.ctx.workerId, {
          pid: proc.pid,
          pidStart: run.pidStart,
          stdoutPath: run.stdoutPath!,
          stderrPath: run.stderrPath!,
        })
      } catch (e) {
        this.ctx.log.warn('run.record_start_failed', { run: run.id, error: errorText(e) })
      }
    }
    const code = proc.exitCode
    const signal = proc.signalCode ? String(proc.signalCode) : null
    const stop = live.stop
    const outcome =
      stop?.reason === 'timeout'
        ? {
            state: 'timed_out' as const,
            exitCode: code,
            signal,
            detail: `timed out after ${live.job.timeoutSeconds}s`,
          }
        : stop?.reason === 'cancel'
          ? { state: 'cancelled' as const, exitCode: code, signal, cancelledBy: stop.by }
          : stop?.reason === 'shutdown'
            ? {
                state: 'lost' as const,
                exitCode: code,
                signal,
                detail: 'the bot was stopped while it ran',
              }
            : code === 0
              ? { state: 'succeeded' as const, exitCode: 0 }
              : {
                  state: 'failed' as const,
                  exitCode: code,
                  signal,
                  detail: signal ? `killed by ${signal}` : null,
                }
    try {
      await recordOutcome(this.ctx, run, this.ctx.workerId, outcome)
    } catch (e) {
      this.ctx.log.error('run.finish_failed', { run: run.id, error: errorText(e) })
    }
    this.live.delete(run.id)
  }

  /** Stops a live run's whole process group; its exit handler records why. */
  async stopRun(
    id: number,
    reason: 'timeout' | 'cancel' | 'shutdown',
    by?: string,
  ): Promise<boolean> {
    const live = this.live.get(id)
    if (!live || live.stop) return !!live
    live.stop = { reason, by }
    this.ctx.log.info('run.stopping', { run: id, job: live.run.jobType, reason, by })
    await killGroup(live.proc.pid, this.ctx.config.settings.kill_grace * 1000)
    return true
  }

  /** `remove job id N` on a running job flags the row; whoever owns the process acts on it. */
  private async applyCancelRequests(): Promise<void> {
    if (!this.live.size) return
    const flagged = await this.ctx.queue.cancelRequests(this.ctx.workerId)
    for (const f of flagged)
      if (!this.live.get(f.id)?.stop) void this.stopRun(f.id, 'cancel', f.by ?? undefined)
  }

  /** Takes no new work, lets runs finish for up to `graceMs` (or until `hurry` fires), then stops them and records them lost. */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.stopping = true
    this.ctx.wake.dispatch.notify()
    await this.loop
    clearInterval(this.progressTimer)
    // Runs claimed before the stop and still fetching their files start, and get the grace too.
    while (this.fetching) await Bun.sleep(20)
    const all = () => Promise.all([...this.live.values()].map((l) => l.exited))
    const hurried = new Promise<boolean>((resolve) =>
      hurry?.aborted
        ? resolve(true)
        : hurry?.addEventListener('abort', () => resolve(true), { once: true }),
    )
    const timedOut = await Promise.race([
      all().then(() => false),
      Bun.sleep(graceMs).then(() => true),
      hurried,
    ])
    if (timedOut) {
      await Promise.all([...this.live.keys()].map((id) => this.stopRun(id, 'shutdown')))
      await all()
    }
    await this.ctx.queue.markStopped(this.ctx.now(), this.ctx.workerId)
  }
}
