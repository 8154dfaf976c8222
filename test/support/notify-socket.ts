// A listening NOTIFY_SOCKET for tests, as systemd opens one: a unix datagram socket bound to a
// path, read through libc (bun:ffi) since Bun's own sockets have no unix datagrams.
import { dlopen, FFIType, ptr } from 'bun:ffi'
import { join } from 'node:path'

const libc = dlopen('libc.so.6', {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
}).symbols

const MSG_DONTWAIT = 0x40

interface NotifyMessage {
  at: number
  text: string
}

/** Binds `<dir>/notify.sock` and collects every datagram sent to it, with its arrival time. */
export function listenNotify(dir: string) {
  const path = join(dir, 'notify.sock')
  const fd = libc.socket(1, 2, 0)
  const addr = new Uint8Array(110)
  new DataView(addr.buffer).setUint16(0, 1, true)
  const name = new TextEncoder().encode(path)
  addr.set(name, 2)
  if (fd < 0 || libc.bind(fd, ptr(addr), 2 + name.length + 1) !== 0)
    throw new Error(`could not bind ${path}`)
  const messages: NotifyMessage[] = []
  const buf = new Uint8Array(4096)
  const timer = setInterval(() => {
    for (;;) {
      const n = Number(libc.recv(fd, ptr(buf), buf.length, MSG_DONTWAIT))
      if (n < 0) break
      messages.push({ at: Date.now(), text: new TextDecoder().decode(buf.subarray(0, n)) })
    }
  }, 5)
  return {
    path,
    messages,
    /** the messages holding `field` (e.g. `READY=1`), in order */
    with: (field: string) => messages.filter((m) => m.text.split('\n').includes(field)),
    close() {
      clearInterval(timer)
      libc.close(fd)
    },
  }
}
