// The three libc calls sd_notify needs, through bun:ffi: Bun's own sockets do not do unix
// datagrams (node:dgram is UDP only). Loaded on first use; null where libc cannot be opened.
import { dlopen, FFIType, ptr } from 'bun:ffi'

const AF_UNIX = 1
const SOCK_DGRAM = 2
const SOCK_CLOEXEC = 0o2000000
const MSG_NOSIGNAL = 0x4000
const CLOCK_MONOTONIC = 1

const symbols = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  sendto: {
    args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32],
    returns: FFIType.i64,
  },
  clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
} as const

type Libc = ReturnType<typeof dlopen<typeof symbols>>['symbols']
let libc: Libc | null | undefined

function load(): Libc | null {
  if (libc !== undefined) return libc
  libc = null
  // glibc names its libc libc.so.6; musl answers to libc.so.
  for (const name of ['libc.so.6', 'libc.so']) {
    try {
      libc = dlopen(name, symbols).symbols
      break
    } catch {}
  }
  return libc
}

/** struct sockaddr_un for a path; a leading `@` names an abstract socket (a NUL byte first). */
function unixAddress(path: string): { bytes: Uint8Array; length: number } {
  const name = new TextEncoder().encode(path.startsWith('@') ? `\0${path.slice(1)}` : path)
  if (name.length > 107) throw new Error(`socket path too long: ${path}`)
  const bytes = new Uint8Array(110)
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, true)
  bytes.set(name, 2)
  // A path socket's address includes its terminating NUL; an abstract one's length is exact.
  return { bytes, length: 2 + name.length + (path.startsWith('@') ? 0 : 1) }
}

/** A datagram socket to send from (kept open for the watchdog), or a reason it cannot be had. */
export function openDatagramSocket(): number | string {
  const c = load()
  if (!c) return 'libc could not be loaded'
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)
  return fd >= 0 ? fd : 'socket(AF_UNIX, SOCK_DGRAM) failed'
}

/** Sends one datagram; true when the whole message went. */
export function sendDatagram(fd: number, path: string, message: string): boolean {
  const c = load()
  if (!c) return false
  const addr = unixAddress(path)
  const data = new TextEncoder().encode(message)
  const sent = c.sendto(fd, ptr(data), data.length, MSG_NOSIGNAL, ptr(addr.bytes), addr.length)
  return Number(sent) === data.length
}

/** CLOCK_MONOTONIC in microseconds, the clock systemd wants with RELOADING=1. */
export function monotonicMicros(): bigint | undefined {
  const c = load()
  if (!c) return undefined
  const ts = new BigInt64Array(2)
  if (c.clock_gettime(CLOCK_MONOTONIC, ptr(ts)) !== 0) return undefined
  return ts[0]! * 1_000_000n + ts[1]! / 1000n
}
