// cgroup v2 boxes for runs: a folder under the bot's own cgroup (systemd delegates it with
// Delegate=yes) that every process a job starts inherits, whatever it does with sessions or
// process groups, so the whole run can be listed and killed at once.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The cgroup v2 path of a process from /proc/<pid>/cgroup (`0::/system.slice/x.service`). */
export function unifiedPath(procCgroup: string): string | null {
  for (const line of procCgroup.split('\n')) if (line.startsWith('0::')) return line.slice(3)
  return null
}

/** Where the cgroup v2 hierarchy is mounted, from /proc/<pid>/mountinfo; only a whole-tree mount. */
export function unifiedMount(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ')
    if (!left || !right || right.split(' ')[0] !== 'cgroup2') continue
    const fields = left.split(' ')
    // fields: id parent major:minor root mountpoint ...; a mount of a subtree (root not "/")
    // would need the path translated, and namespaced setups are better left to the fallback.
    if (fields[3] === '/' && fields[4]) return fields[4].replace(/\\040/g, ' ')
  }
  return null
}

/** The bot's own cgroup folder, if it has one in a cgroup v2 hierarchy. */
export function ownCgroupDir(): string | null {
  try {
    const mount = unifiedMount(readFileSync('/proc/self/mountinfo', 'utf8'))
    const path = unifiedPath(readFileSync('/proc/self/cgroup', 'utf8'))
    if (!mount || path === null) return null
    const dir = join(mount, path)
    return existsSync(join(dir, 'cgroup.procs')) ? dir : null
  } catch {
    return null
  }
}

/** Creates (or finds, after a restart) a run's cgroup; null when the hierarchy is not writable. */
export function makeCgroup(parent: string, name: string): string | null {
  const dir = join(parent, name)
  try {
    mkdirSync(dir, { recursive: false })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null
  }
  return existsSync(join(dir, 'cgroup.procs')) ? dir : null
}

export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** SIGKILL to every process in the cgroup at once (kernel 5.14+); false where unsupported. */
export function killCgroup(dir: string): boolean {
  const file = join(dir, 'cgroup.kill')
  if (!existsSync(file)) return false
  try {
    writeFileSync(file, '1')
    return true
  } catch {
    return false
  }
}

/** Removes an empty run cgroup; one still holding processes stays (and is retried later). */
export function removeCgroup(dir: string): boolean {
  try {
    rmdirSync(dir)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT'
  }
}
