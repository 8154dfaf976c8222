// The dispatcher: claims due requests and runs each in a box of its own (run-box.ts).
//
// Run states and what moves them:
//   pending  --claim (due, type idle, not suppressed, under max_parallel)-->  running
//   running  --exit 0--> succeeded   --exit != 0 / could not start--> failed
//   running  --timeout: SIGTERM the run's box, SIGKILL after grace--> timed_out
//   running  --output past max_output: stopped the same way--> failed
//   running  --remove job id (cancel requested in the row)--> cancelled
//   running  --owner died (crash, kill -9) or shutdown grace ran out--> lost
//   pending  --cancel job / remove job id--> cancelled (queue/cancel.ts)
// Whatever ends a run, every process it started is stopped (run-box.ts) before the outcome is
// recorded, so a job type is free only once nothing of its last run is left. Enqueueing wakes
// the loop at once; a timer covers the next due time or suppression end, and a slow poll covers
// rows written by other processes.
import { dirname } from 'node:path'
import type { Subprocess } from 'bun'
import { expireDue } from '../app/approvals.ts'
import { tellUnservable } from '../app/instances.ts'
import { type AppContext, replyDoor } from '../app/context.ts'
import { findJob, type Job, type Namespace, typesNotFor } from '../config/types.ts'
import { startNotice } from '../app/reports.ts'
import type { Run } from '../queue/schema.ts'
import { nextTurn } from '../util/next-turn.ts'
import { errorText } from '../util/log.ts'
import { type Boxes, openBoxes } from './containment.ts'
import { fetchFiles } from './fetch-files.ts'
import { recordOutcome } from './finish.ts'
import { guardProcess } from './guard-process.ts'
import { prepareJobDir } from './job-dirs.ts'
import { type OutputWatch, watchOutput } from './output-watch.ts'
import { processStartTimeSoon } from './proc.ts'
import { ProgressReporter } from './progress.ts'
import { pruneRunLogs } from './prune-logs.ts'
import { leaseMs, recoverOrphans } from './recover.ts'
import { type JobUser, resolveJobUser } from './run-as.ts'
import type { RunBox } from './run-box.ts'
import { outcomeOf, type Stop, type StopReason } from './run-outcome.ts'
import { signallerFor } from './signal-as.ts'
import { SpareLogDirs } from './spare-log-dirs.ts'
import { prepareRun, type RunFiles, spawnJob } from './spawn-job.ts'

/** At most this long between two looks for dead peers, orphans and zombies while passes run. */
const HOUSEKEEPING_MS = 1000

/** What a started run's row records: its leader and where its output goes. */
type StartFacts = Parameters<AppContext['queue']['recordStart']>[2]

interface Live {
  run: Run
  job: Job
  proc: Subprocess
  box: RunBox
  output: OutputWatch
  timer?: ReturnType<typeof setTimeout>
  stop?: Stop
  /** whether the pid and log paths reached the database (retried at exit if not) */
  recorded: boolean
  exited: Promise<void>
}

export class Dispatcher {
  private readonly live = new Map<number, Live>()
  /** the runs' first processes, spawned and not yet collected by Bun (some not yet in `live`) */
  private readonly leaders = new Set<number>()
  private stopping = false
  /** runs claimed and waiting for their namespace's files before they start */
  private fetching = 0
  private lastPass = Date.now()
  private readonly progress: ProgressReporter
  private progressTimer?: ReturnType<typeof setInterval>
  private pruneTimer?: ReturnType<typeof setInterval>
  private leaseTimer?: ReturnType<typeof setInterval>
  /** one recovery at a time: the lease timer and the queue loop both start one */
  private recovering?: Promise<unknown>
  private loop?: Promise<void>
  /** passes of the queue loop completed, and whether one is under way */
  private passes = 0
  /** when the last pass renewed the lease and looked for the dead (0: never, so the first does) */
  private lastHousekeeping = 0
  private inPass = false
  private readonly passWaiters: { after: number; resolve: () => void }[] = []
  /** settings.run_as, looked up once */
  private readonly jobUser?: JobUser
  readonly boxes: Boxes
  /** run log folders made ahead, so a launch renames one instead of making it */
  private readonly spares: SpareLogDirs

  constructor(private readonly ctx: AppContext) {
    this.progress = new ProgressReporter(ctx)
    const { run_as, containment } = ctx.config.settings
    if (run_as) this.jobUser = resolveJobUser(run_as.user, run_as.group)
    guardProcess(!!this.jobUser, ctx.log)
    this.boxes = openBoxes(containment, ctx.queue.location, signallerFor(this.jobUser))
    this.spares = new SpareLogDirs(ctx.logsDir)
    ctx.log.info('dispatcher.containment', {
      mode: this.boxes.mode,
      run_as: this.jobUser?.name ?? null,
    })
  }

  get running(): number {
    return this.live.size
  }

  start(): void {
    this.spares.clearStale()
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
    this.pruneTimer ??= setInterval(() => this.pruneOldLogs(), 3600_000)
    // The lease is renewed, and peers' leases checked, on a timer of its own: a long pass (a
    // recovery waiting out kill_grace, a slow database) must not make this instance look dead.
    this.leaseTimer ??= setInterval(() => void this.keepLease(), leaseMs(this.ctx) / 4)
    this.pruneOldLogs()
    this.loop ??= this.run()
  }

  /** settings.keep_logs: deletes run log folders last written longer ago than that. */
  pruneOldLogs(): number {
    return pruneRunLogs(
      this.ctx,
      [...this.live.values()].flatMap((l) => (l.run.stdoutPath ? [dirname(l.run.stdoutPath)] : [])),
    )
  }

  private async run(): Promise<void> {
    const { ctx } = this
    const pollMs = ctx.config.settings.poll_interval * 1000
    while (!this.stopping) {
      this.lastPass = ctx.now()
      this.inPass = true
      try {
        // Every enqueue wakes a pass; the lease, dead peers, orphans and zombies need a look only
        // now and then (the lease timer renews it too), not once per webhook in a flood of them.
        if (ctx.now() - this.lastHousekeeping >= Math.min(pollMs, HOUSEKEEPING_MS)) {
          this.lastHousekeeping = ctx.now()
          await this.renewLease()
          await this.recover()
          this.reapAdopted()
        }
        await expireDue(ctx)
        await this.applyCancelRequests()
        await this.claimAndLaunch()
        await tellUnservable(ctx)
      } catch (e) {
        ctx.log.error('dispatcher.pass_failed', { error: errorText(e) })
      }
      this.inPass = false
      this.passes++
      for (const w of this.passWaiters.splice(0))
        if (this.passes >= w.after) w.resolve()
        else this.passWaiters.push(w)
      if (this.stopping) break
      const next = await ctx.queue.nextWakeAt(ctx.now())
      await ctx.wake.dispatch.wait(next === null ? pollMs : Math.min(pollMs, next - ctx.now() + 5))
    }
  }

  private async renewLease(): Promise<void> {
    if (await this.ctx.queue.heartbeat(this.ctx.now(), this.ctx.workerId))
      this.ctx.log.warn('instance.lease_lost', {
        instance: this.ctx.workerId,
        detail:
          'a peer found this instance dead (no heartbeat within the lease); its runs were reported lost',
      })
  }

  private recover(): Promise<unknown> {
    this.recovering ??= recoverOrphans(this.ctx, this.boxes).finally(
      () => (this.recovering = undefined),
    )
    return this.recovering
  }

  private async keepLease(): Promise<void> {
    if (this.stopping) return
    try {
      await this.renewLease()
      await this.recover()
    } catch (e) {
      this.ctx.log.warn('instance.lease_renew_failed', { error: errorText(e) })
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
        typesNotFor(this.ctx.config, this.ctx.env.instanceTags),
      )
      if (!run) return
      // The claim can answer in the same turn as the COMMIT that stored the request: the ack
      // still on its way to Slack goes out before this run's files and spawn.
      await nextTurn()
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
        prepareJobDir(ns.workdir, this.jobUser)
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
    let files: RunFiles
    let proc: Subprocess
    const box = this.boxes.open(run.id)
    try {
      files = prepareRun(ctx, run, ns, this.jobUser, this.spares)
      proc = spawnJob(ctx, run, job, ns, box, files, this.jobUser)
      // Bun collects the leader itself: from now on the reaper must leave it alone, also while
      // its start is being recorded (a quick job may already have exited by then).
      const leader = proc.pid
      this.leaders.add(leader)
      void proc.exited.finally(() => this.leaders.delete(leader))
    } catch (e) {
      ctx.log.error('run.spawn_failed', { run: run.id, job: run.jobType, error: errorText(e) })
      void box.stop(0) // nothing started: removes the run's empty cgroup
      void recordOutcome(ctx, run, ctx.workerId, {
        state: 'failed',
        detail: `could not start: ${errorText(e)}`,
      })
      return
    }
    const { stdoutPath, stderrPath } = files
    const pidStart = await processStartTimeSoon(proc.pid)
    const facts = { pid: proc.pid, pidStart, stdoutPath, stderrPath }
    // The process runs from here on, whatever the database says: it must be tracked (timeout,
    // exit, report) even if recording its pid fails (another writer holding the lock too long).
    let started: Run = { ...run, ...facts }
    let recorded = false
    try {
      started = (await this.storeStart(run, facts)) ?? started
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
    const output = watchOutput([stdoutPath, stderrPath], job.maxOutputBytes, () => {
      void this.stopRun(run.id, 'output')
    })
    const live: Live = {
      run: started,
      job,
      proc,
      box,
      output,
      recorded,
      exited: Promise.resolve(),
    }
    live.timer = setTimeout(() => void this.stopRun(run.id, 'timeout'), job.timeoutSeconds * 1000)
    live.exited = proc.exited.then(() => this.onExit(live))
    this.live.set(run.id, live)
    // The next run's log folder, made now (off the event loop) rather than in its launch.
    if (!this.stopping) void this.spares.refill()
  }

  private async onExit(live: Live): Promise<void> {
    clearTimeout(live.timer)
    const { proc, run } = live
    // The leader is gone; whatever it left behind (background children, daemons that called
    // setsid) is stopped now, so the run ends with all of it and nothing writes its logs after.
    const left = await live.box.stop(this.ctx.config.settings.kill_grace * 1000, proc.pid)
    if (left && !live.stop)
      this.ctx.log.info('run.leftovers_stopped', { run: run.id, job: run.jobType, processes: left })
    this.reapAdopted()
    let overflowed = false
    try {
      overflowed = live.output.finish()
    } catch (e) {
      this.ctx.log.warn('run.output_trim_failed', { run: run.id, error: errorText(e) })
    }
    // Past the limit between two measurements and done before the next: the same outcome.
    if (overflowed && !live.stop) live.stop = { reason: 'output' }
    if (!live.recorded) {
      try {
        await this.storeStart(run, {
          pid: proc.pid,
          pidStart: run.pidStart,
          stdoutPath: run.stdoutPath!,
          stderrPath: run.stderrPath!,
        })
      } catch (e) {
        this.ctx.log.warn('run.record_start_failed', { run: run.id, error: errorText(e) })
      }
    }
    const signal = proc.signalCode ? String(proc.signalCode) : null
    const outcome = outcomeOf(live.stop, proc.exitCode, signal, live.job)
    try {
      await recordOutcome(this.ctx, run, this.ctx.workerId, outcome)
    } catch (e) {
      this.ctx.log.error('run.finish_failed', { run: run.id, error: errorText(e) })
    }
    this.live.delete(run.id)
  }

  /**
   * Records a started run with its start notice, in one unit after the spawn: nothing but the
   * run's files stands between the claim and the job's first command, and a job that could not
   * start gets only the report that says so.
   */
  private async storeStart(run: Run, facts: StartFacts): Promise<Run | undefined> {
    const { ctx } = this
    const row = await ctx.queue.atomically(async (q) => {
      const started = await q.recordStart(run.id, ctx.workerId, facts)
      const notice = startNotice(run, ctx.reports)
      await q.enqueueOutgoing(ctx.now(), replyDoor(ctx, run), [notice], run.id)
      return started
    })
    ctx.wake.outbox.notify()
    return row
  }

  /** Stops every process of a live run; its exit handler records why. */
  async stopRun(id: number, reason: StopReason, by?: string): Promise<boolean> {
    const live = this.live.get(id)
    if (!live || live.stop) return !!live
    live.stop = { reason, by }
    this.ctx.log.info('run.stopping', { run: id, job: live.run.jobType, reason, by })
    await live.box.stop(this.ctx.config.settings.kill_grace * 1000, live.proc.pid)
    return true
  }

  /** Without cgroups, orphans of jobs are this process's children: collect those that exited. */
  private reapAdopted(): void {
    this.boxes.reap(this.leaders)
  }

  /** `remove job id N` on a running job flags the row; whoever owns the process acts on it. */
  private async applyCancelRequests(): Promise<void> {
    if (!this.live.size) return
    const flagged = await this.ctx.queue.cancelRequests(this.ctx.workerId)
    for (const f of flagged)
      if (!this.live.get(f.id)?.stop) void this.stopRun(f.id, 'cancel', f.by ?? undefined)
  }

  /**
   * Resolves once a whole pass has begun and ended after this call, so whatever was stored before
   * it (a suppression lifted, a request queued) has been looked at and, if due, claimed. A pass
   * already under way may have read the queue before that write, so it does not count.
   */
  settle(): Promise<void> {
    if (!this.loop || this.stopping) return Promise.resolve()
    const after = this.passes + (this.inPass ? 2 : 1)
    const settled = new Promise<void>((resolve) => this.passWaiters.push({ after, resolve }))
    this.ctx.wake.dispatch.notifyHere()
    return settled
  }

  /** Takes no new work, lets runs finish for up to `graceMs` (or until `hurry` fires), then stops them and records them lost. */
  async stop(graceMs: number, hurry?: AbortSignal): Promise<void> {
    this.stopping = true
    this.ctx.wake.dispatch.notifyHere()
    await this.loop
    for (const w of this.passWaiters.splice(0)) w.resolve()
    clearInterval(this.progressTimer)
    clearInterval(this.pruneTimer)
    clearInterval(this.leaseTimer)
    await this.spares.discard()
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
    this.boxes.close()
  }

  /**
   * Takes this instance off the live list; called last, once its deliverers are done too: while
   * it is listed, no peer takes over a message it may still be sending.
   */
  async retire(): Promise<void> {
    await this.ctx.queue.markStopped(this.ctx.now(), this.ctx.workerId)
  }
}
