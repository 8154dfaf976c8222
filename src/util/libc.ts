// The few Linux calls Bun has no API for, through bun:ffi: prctl (subreaper, dumpable, ambient
// capabilities) and waitpid for orphans the bot adopts. Each answers false where libc or the
// call is unavailable, so the bot still runs elsewhere, only with less containment.
import { dlopen, FFIType } from 'bun:ffi'

const PR_SET_DUMPABLE = 4
const PR_SET_CHILD_SUBREAPER = 36
const PR_CAP_AMBIENT = 47
const PR_CAP_AMBIENT_CLEAR_ALL = 4
const WNOHANG = 1

type Libc = {
  prctl: (op: number, a: number, b: number, c: number, d: number) => number
  waitpid: (pid: number, status: Int32Array, options: number) => number
}

let libc: Libc | null | undefined

function load(): Libc | null {
  if (libc !== undefined) return libc
  libc = null
  if (process.platform !== 'linux') return libc
  for (const name of ['libc.so.6', 'libc.so']) {
    try {
      const lib = dlopen(name, {
        prctl: {
          args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
          returns: FFIType.i32,
        },
        waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
      })
      libc = lib.symbols as unknown as Libc
      break
    } catch {
      // musl names it differently; try the next
    }
  }
  return libc
}

const prctl = (op: number, arg = 0) => load()?.prctl(op, arg, 0, 0, 0) === 0

/** Orphaned descendants are re-parented to this process instead of init, so they stay in sight. */
export const setSubreaper = (on: boolean) => prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0)

/** Same-user processes can no longer read /proc/<pid>/environ or attach a debugger. */
export const makeNonDumpable = () => prctl(PR_SET_DUMPABLE, 0)

/** Children stop inheriting any capability granted to the service (AmbientCapabilities=). */
export const clearAmbientCapabilities = () => prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)

/** Collects one exited child (an adopted orphan) so it does not linger as a zombie. */
export function reapChild(pid: number): boolean {
  const lib = load()
  return !!lib && lib.waitpid(pid, new Int32Array(1), WNOHANG) === pid
}
