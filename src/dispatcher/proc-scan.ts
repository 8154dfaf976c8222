// Finding a run's processes without a cgroup: everything carrying the run's environment marker,
// in its leader's process group or session, and their descendants, read from /proc.
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcEntry {
  pid: number
  ppid: number
  pgrp: number
  session: number
  /** R, S, D, Z (zombie: exited, waiting for its parent to collect it), ... */
  state: string
}

/** Parses /proc/<pid>/stat; the command name in parentheses may hold spaces and parentheses. */
export function parseStat(pid: number, stat: string): ProcEntry | null {
  const close = stat.lastIndexOf(')')
  if (close < 0) return null
  const f = stat.slice(close + 2).split(' ')
  const [state, ppid, pgrp, session] = [f[0], Number(f[1]), Number(f[2]), Number(f[3])]
  if (!state || !Number.isFinite(ppid)) return null
  return { pid, ppid, pgrp, session, state }
}

export function readEntry(pid: number): ProcEntry | null {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null // gone
  }
}

export function listProcesses(): ProcEntry[] {
  const out: ProcEntry[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const e = readEntry(Number(name))
    if (e) out.push(e)
  }
  return out
}

/** Whether the process started with `NAME=value` in its environment (unreadable: no). */
export function hasMarker(pid: number, entry: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1')
    return env.startsWith(`${entry}\0`) || env.includes(`\0${entry}\0`)
  } catch {
    return false
  }
}

/**
 * The run's live processes: marked, or in the leader's group or session when `leader` is given,
 * plus every descendant of those. Never this process or its ancestors.
 */
export function runProcesses(
  procs: ProcEntry[],
  marked: (pid: number) => boolean,
  leader?: number,
): number[] {
  const self = process.pid
  const protect = new Set<number>([self, 1])
  const byPid = new Map(procs.map((p) => [p.pid, p]))
  for (let p = byPid.get(self); p && !protect.has(p.ppid); p = byPid.get(p.ppid))
    protect.add(p.ppid)
  const members = new Set<number>()
  for (const p of procs) {
    if (protect.has(p.pid) || p.state === 'Z') continue
    const inGroup = leader !== undefined && (p.pgrp === leader || p.session === leader)
    if (inGroup || marked(p.pid)) members.add(p.pid)
  }
  // Descendants: repeat until no new child joins (a parent may be listed after its child).
  for (let grew = true; grew; ) {
    grew = false
    for (const p of procs)
      if (!members.has(p.pid) && !protect.has(p.pid) && p.state !== 'Z' && members.has(p.ppid)) {
        members.add(p.pid)
        grew = true
      }
  }
  return [...members]
}

/**
 * This process's direct children, from each thread's /proc/self/task/<tid>/children: a handful of
 * reads instead of one per process on the host, which the dispatcher otherwise paid on every
 * pass. The kernel may miss a child forking or exiting at that moment; a zombie stays put, so it
 * is found on the next pass. Without that file (CONFIG_PROC_CHILDREN off), the whole table.
 */
export function ownChildren(): ProcEntry[] {
  let tasks: string[]
  try {
    tasks = readdirSync('/proc/self/task')
  } catch {
    return listProcesses()
  }
  const out: ProcEntry[] = []
  for (const tid of tasks) {
    let pids: string
    try {
      pids = readFileSync(`/proc/self/task/${tid}/children`, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(process.pid))
        return listProcesses()
      continue // a thread that ended meanwhile
    }
    for (const pid of pids.split(' ')) {
      const e = pid ? readEntry(Number(pid)) : null
      if (e) out.push(e)
    }
  }
  return out
}

/**
 * Exited children of this process that nobody else collects (adopted orphans of jobs). A job
 * starts in a session of its own, so whatever it leaves behind is outside this process's session;
 * a child Bun spawned in this session (a file fetch, a Metaflow call) is Bun's to collect, and
 * collecting it here would make Bun's own wait for it fail (ECHILD).
 */
export function adoptedZombies(procs: ProcEntry[], ownSpawns: ReadonlySet<number>): number[] {
  const ownSession = readEntry(process.pid)?.session
  return procs
    .filter(
      (p) =>
        p.ppid === process.pid &&
        p.state === 'Z' &&
        p.session !== ownSession &&
        !ownSpawns.has(p.pid),
    )
    .map((p) => p.pid)
}
