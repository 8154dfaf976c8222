// sd_notify for `Type=notify`: READY=1 once serving, RELOADING=1/READY=1 around a reload,
// STOPPING=1 on the way out, and WATCHDOG=1 at half the WatchdogSec interval. Without a
// NOTIFY_SOCKET (not under systemd) every call is a no-op.
import type { SystemdEnv } from '../config/env.ts'
import type { Logger } from '../util/log.ts'
import { monotonicMicros, openDatagramSocket, sendDatagram } from './libc.ts'

export interface Notifier {
  ready(status?: string): void
  reloading(): void
  stopping(): void
  /** stops the watchdog timer */
  close(): void
}

const NOOP: Notifier = { ready() {}, reloading() {}, stopping() {}, close() {} }

export function startNotifier(env: SystemdEnv, log: Logger): Notifier {
  const path = env.notifySocket
  if (!path) return NOOP
  const fd = openDatagramSocket()
  if (typeof fd === 'string') {
    log.warn('systemd.notify_unavailable', { reason: fd })
    return NOOP
  }
  let failing = false
  const send = (message: string) => {
    const ok = sendDatagram(fd, path, message)
    // Say so once, not on every watchdog tick.
    if (!ok && !failing) log.warn('systemd.notify_failed', { socket: path })
    failing = !ok
  }
  // The timer runs on the event loop, so a loop that is stuck stops feeding it and systemd
  // restarts the service: that is the point. WATCHDOG_PID, when set, must be this process.
  const watchdogFor = !env.watchdogPid || env.watchdogPid === process.pid
  const timer =
    env.watchdogUsec && watchdogFor
      ? setInterval(() => send('WATCHDOG=1'), Math.max(1, env.watchdogUsec / 2000))
      : undefined
  timer?.unref()
  return {
    ready: (status) => send(`READY=1\nMAINPID=${process.pid}${status ? `\nSTATUS=${status}` : ''}`),
    reloading: () => {
      const t = monotonicMicros()
      send(`RELOADING=1${t === undefined ? '' : `\nMONOTONIC_USEC=${t}`}`)
    },
    stopping: () => send('STOPPING=1'),
    close: () => clearInterval(timer),
  }
}
