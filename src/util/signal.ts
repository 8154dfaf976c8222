// An in-process wake-up: enqueue nudges the dispatcher, finishing nudges the notifier. A notify
// with nobody waiting is remembered, so a wake-up between two loop passes is never missed.

export class Signal {
  private waiters: (() => void)[] = []
  private pending = false
  private waking = false

  constructor(
    /** also wakes the same workers in the other processes on this database */
    private readonly share?: () => void,
    /** what the wake-up must wait for first (the units of work open now), if anything */
    private readonly gate?: () => Promise<void> | undefined,
  ) {}

  notify(): void {
    const gate = this.gate?.()
    if (gate) void gate.then(() => this.wakeAll())
    else this.wakeAll()
  }

  private wakeAll(): void {
    this.notifyHere()
    this.share?.()
  }

  /** Wakes this process's waiters only (a wake-up that came from another process). */
  notifyHere(): void {
    if (!this.waiters.length) {
      this.pending = true
      return
    }
    if (this.waking) return
    this.waking = true
    // The waiters run on the next turn of the event loop, so what the notifier does next (the
    // Slack ack of the event it just stored) is not queued behind a dispatcher pass and a spawn.
    setImmediate(() => {
      this.waking = false
      for (const w of this.waiters.splice(0)) w()
    })
  }

  /** Resolves on the next notify, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.waiters = this.waiters.filter((w) => w !== done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      this.waiters.push(done)
    })
  }
}
