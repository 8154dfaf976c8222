// A run's box: every process its job starts, found through the run's cgroup (exact: a process
// cannot leave it) or, without one, through an environment marker, its process group and
// session, and descent in /proc. Stopping the box (after the job's leader exits, on a timeout,
// cancel or shutdown, or when recovering a lost run) sends SIGTERM, SIGKILL after the grace,
// and waits until nothing of the run is left.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cgroupPids, killCgroup, makeCgroup, removeCgroup } from './cgroup.ts'
import { reapChild } from '../util/libc.ts'
import { hasMarker, listProcesses, readEntry, runProcesses } from './proc-scan.ts'

/** The environment variable each job gets, naming its run; what the fallback sweep looks for. */
const RUN_MARKER = 'EBMBOT_RUN'

/** Sends one signal to each pid (as whoever may: the job's user when jobs run as another). */
export type Signaller = (pids: number[], signal: NodeJS.Signals) => void

export const plainSignaller: Signaller = (pids, signal) => {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // gone meanwhile, or not ours to signal (the caller's signaller handles other users)
    }
  }
}

export class RunBox {
  private stopping?: Promise<number>

  constructor(
    /** unique per database and run: `<database hash>-<run id>` */
    readonly token: string,
    /** the run's cgroup folder; null without cgroup containment */
    readonly cgroup: string | null,
    private readonly signal: Signaller = plainSignaller,
  ) {}

  /** Creates the run's cgroup; false when it cannot be made (the run then uses the sweep). */
  create(): boolean {
    if (!this.cgroup) return true
    const parent = join(this.cgroup, '..')
    return makeCgroup(parent, this.cgroup.slice(parent.length + 1)) !== null
  }

  /** Where the job's first process writes its pid to join the cgroup, or null. */
  get procsFile(): string | null {
    return this.cgroup ? join(this.cgroup, 'cgroup.procs') : null
  }

  get env(): Record<string, string> {
    return { [RUN_MARKER]: this.token }
  }

  /**
   * The run's live processes. `leader` (the job's first pid, only when it is known to be the
   * same process) adds its process group and session to what the sweep finds.
   */
  members(leader?: number): number[] {
    // The cgroup is exact, so its list is the whole answer; the sweep covers runs without one
    // (including a lost run whose bot had none).
    if (this.cgroup && existsSync(this.cgroup)) {
      const pids = cgroupPids(this.cgroup)
      // A leader stopped in its first instants may not have joined the cgroup yet.
      const first = leader === undefined ? null : readEntry(leader)
      if (first && first.state !== 'Z' && first.pgrp === leader && !pids.includes(leader))
        pids.push(leader)
      return pids
    }
    const entry = `${RUN_MARKER}=${this.token}`
    const pids = runProcesses(listProcesses(), (pid) => hasMarker(pid, entry), leader)
    // Jobs of another user may be hidden from /proc (hidepid, systemd's ProtectProc=): their
    // group still answers a signal with EPERM, so it is signalled whole, as that user.
    if (leader !== undefined && hiddenGroup(leader)) pids.push(-leader)
    return pids
  }

  /** SIGTERM to everything left, SIGKILL after `graceMs`; resolves with how many there were. */
  stop(graceMs: number, leader?: number): Promise<number> {
    this.stopping ??= this.stopOnce(graceMs, leader).finally(() => (this.stopping = undefined))
    return this.stopping
  }

  private async stopOnce(graceMs: number, leader?: number): Promise<number> {
    const first = this.members(leader)
    const seen = new Set(first)
    // A leader that died on its own while no bot watched (after a crash) may still wait for init.
    if (leader !== undefined && readEntry(leader)?.state === 'Z') seen.add(leader)
    if (first.length) {
      this.signal(first, 'SIGTERM')
      if (!(await this.waitEmpty(graceMs, leader))) {
        // Kill in rounds: a process forking as it is killed leaves children to catch next time.
        const until = Date.now() + 10_000
        for (let left = this.members(leader); left.length && Date.now() < until; ) {
          for (const pid of left) seen.add(pid)
          if (!(this.cgroup && killCgroup(this.cgroup))) this.signal(left, 'SIGKILL')
          await Bun.sleep(25)
          left = this.members(leader)
        }
      }
    }
    if (seen.size) await waitReaped(seen, leader)
    if (this.cgroup && !this.members(leader).length) removeCgroup(this.cgroup)
    return first.length
  }

  private async waitEmpty(ms: number, leader?: number): Promise<boolean> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      if (!this.members(leader).length) return true
      await Bun.sleep(50)
    }
    return !this.members(leader).length
  }
}

/** A process group this process may not signal: it exists, and its members are someone else's. */
function hiddenGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Dead processes stay in the process table until their parent collects them: init for orphans,
 * this bot for those it adopted (collected here). Waits for that, so "stopped" means gone.
 */
async function waitReaped(pids: Set<number>, leader?: number): Promise<void> {
  // init collects at once on a normal host; some container inits take seconds.
  const until = Date.now() + 10_000
  for (;;) {
    for (const pid of pids) {
      const e = readEntry(pid)
      if (!e) pids.delete(pid)
      // The leader is Bun's own child: Bun collects it and reads its exit status.
      else if (e.state === 'Z' && e.ppid === process.pid && pid !== leader) reapChild(pid)
    }
    if (!pids.size || Date.now() > until) return
    await Bun.sleep(25)
  }
}
