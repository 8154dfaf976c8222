// How this bot keeps runs in their boxes, decided once at start: a cgroup per run when the bot
// may create cgroups below its own (systemd's Delegate=yes, or root), else a /proc sweep. Either
// way the bot is a child subreaper: orphaned job processes are re-parented to it, not to init,
// so it sees them and collects them the moment they are killed.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { reapChild, setSubreaper } from '../util/libc.ts'
import type { ContainmentSetting } from '../config/limits-schema.ts'
import { makeCgroup, ownCgroupDir, removeCgroup } from './cgroup.ts'
import { adoptedZombies, ownChildren } from './proc-scan.ts'
import { plainSignaller, RunBox, type Signaller } from './run-box.ts'

export interface Boxes {
  mode: 'cgroup' | 'sweep'
  /** the same box for the same run, in this bot or after a restart on the same database */
  forRun(runId: number): RunBox
  /** A new run's box, its cgroup created; a run whose cgroup cannot be made is swept instead. */
  open(runId: number): RunBox
  /**
   * Collects adopted orphans that have exited. `ownSpawns` are the runs' leaders, which Bun
   * itself waits for; other children of the bot are in its own session and are never taken.
   */
  reap(ownSpawns: ReadonlySet<number>): void
  /** The dispatcher is done: this process stops adopting orphans (once no other one needs it). */
  close(): void
}

// Several dispatchers may share a process (tests do): it adopts orphans while any is open, so
// none is left adopting, with nobody collecting, after the last one stops.
let subreaperHolds = 0
function holdSubreaper(): () => void {
  if (subreaperHolds++ === 0) setSubreaper(true)
  let held = true
  return () => {
    if (!held) return
    held = false
    if (--subreaperHolds === 0) setSubreaper(false)
  }
}

export function openBoxes(
  setting: ContainmentSetting,
  databaseFile: string,
  signal: Signaller = plainSignaller,
): Boxes {
  // Two bots on one host with different databases must never share a box name.
  const db = createHash('sha256').update(databaseFile).digest('hex').slice(0, 10)
  const parent = setting === 'sweep' ? null : cgroupParent(db)
  if (setting === 'cgroup' && !parent)
    throw new Error(
      'settings.containment is cgroup, but this process cannot create cgroups below its own: run it under systemd with Delegate=yes (or as root on a cgroup v2 host), or use containment: auto',
    )
  const swept = (id: number) => new RunBox(`${db}-${id}`, null, signal)
  const release = holdSubreaper()
  const reap = (own: ReadonlySet<number>) => {
    for (const pid of adoptedZombies(ownChildren(), own)) reapChild(pid)
  }
  const close = release
  if (parent) {
    const forRun = (id: number) =>
      new RunBox(`${db}-${id}`, join(parent, `ebmbot-${db}-run-${id}`), signal)
    return {
      mode: 'cgroup',
      forRun,
      open: (id) => {
        const box = forRun(id)
        return box.create() ? box : swept(id)
      },
      reap,
      close,
    }
  }
  return { mode: 'sweep', forRun: swept, open: swept, reap, close }
}

/** The bot's own cgroup, if a child cgroup can really be made there (tried once, then removed). */
function cgroupParent(db: string): string | null {
  const own = ownCgroupDir()
  if (!own) return null
  const probe = makeCgroup(own, `ebmbot-${db}-probe-${process.pid}`)
  if (!probe) return null
  removeCgroup(probe)
  return own
}
