// Process facts from /proc: whether a pid or process group is alive, and a pid's start time,
// which tells a job's process apart from a later process that reused its pid.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

export function processStartTime(pid: number): string | null {
  try {
    return startTimeOf(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

/**
 * The same, read on the runtime's file threads: just after a spawn the read waits while the
 * new process is busy in the kernel (its exec, joining its cgroup), over a millisecond one time
 * in ten, which must not hold up the event loop.
 */
export async function processStartTimeSoon(pid: number): Promise<string | null> {
  try {
    return startTimeOf(await readFile(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

/** Field 22 (starttime), counted after the parenthesised command name, which may hold spaces. */
function startTimeOf(stat: string): string | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields[19] ?? null
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function groupAlive(pgid: number): boolean {
  return pgid > 1 && pidAlive(-pgid)
}

/** Alive and the same process we started (not a recycled pid). */
export function sameProcess(pid: number, startTime: string | null): boolean {
  if (!pidAlive(pid)) return false
  return startTime === null || processStartTime(pid) === startTime
}
