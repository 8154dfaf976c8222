// The SQLite queue behind the asynchronous Queue interface. Statements run synchronously on one
// bun:sqlite connection. A unit of work holds that connection from BEGIN IMMEDIATE to COMMIT,
// across the awaits of its callback, and every other call waits for it to end: a statement issued
// on the same connection meanwhile would silently become part of the open transaction.
//
// Waiting is first come, first served, and a release hands the connection to exactly one waiter:
// a burst of a thousand Slack events queues a thousand units, and waking them all on every
// release (then letting all but one go back to sleep) made the burst quadratic. Inside a unit,
// use only the handle it is given: a call on the queue itself would wait for the unit to end, which
// waits for that call. Tracking the caller with AsyncLocalStorage would catch it, but in Bun that
// taxes every promise in the process (a burst of Slack events took three times as long).
//
// Another process holding the write lock (an operator's sqlite3, a backup, a second bot) is
// waited out without blocking: SQLite itself waits only briefly, then the call is tried again
// after a short sleep until `waitMs` has passed, so the event loop keeps serving the Slack socket,
// /healthz and everything that needs no lock meanwhile.
import type { Database } from 'bun:sqlite'
import type { Db } from './db.ts'
import { isBusy } from './errors.ts'
import { ping, probeDatabase } from './probe.ts'
import type { Queue, QueueOps } from './queue.ts'
import { statements } from './statements.ts'

/** Someone waiting for the connection: a statement runs at once when handed it, a unit starts. */
type Waiter = { statement: () => void } | { unit: () => void }

type Statements = Omit<QueueOps, 'atomically'>
type AnyStatement = (db: Db, ...args: never[]) => unknown

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every statement
export class SqliteQueue implements Queue {
  /** a unit of work holds the connection (or is about to be handed it) */
  private locked = false
  private readonly waiting: Waiter[] = []
  private depth = 0
  private readonly inner: Queue
  readonly location: string

  constructor(
    /** the raw connection, for tests and benchmarks of the SQLite layer itself */
    readonly sqlite: Database,
    readonly db: Db,
    readonly file: string,
    /** how long a call waits for another process's lock before it fails as busy */
    readonly waitMs = 5000,
  ) {
    this.location = file
    Object.assign(
      this,
      this.bind((run) => this.whenFree(run)),
    )
    // The handle a unit of work is given: the same statements, run at once (it holds the lock).
    this.inner = Object.assign(this.bind(runNow), {
      location: file,
      atomically: <T>(fn: (q: Queue) => Promise<T>) => this.savepoint(fn),
      ping: async () => ping(sqlite),
      probe: (timeoutMs?: number) => this.probe(timeoutMs),
      close: () => {
        throw new Error('the queue cannot be closed from inside a unit of work')
      },
    })
  }

  /** Each statement as an async method on the connection, run when `enter` lets it. */
  private bind(enter: <T>(run: () => T) => Promise<T>): Statements {
    const out: Record<string, (...args: never[]) => Promise<unknown>> = {}
    for (const [name, fn] of Object.entries(statements) as [string, AnyStatement][])
      out[name] = (...args: never[]) => enter(() => fn(this.db, ...args))
    return out as unknown as Statements
  }

  /** Runs a statement now if no unit holds the connection, else when it is handed over. */
  private whenFree<T>(run: () => T): Promise<T> {
    if (!this.locked) return this.untilFree(run)
    return new Promise<T>((resolve, reject) =>
      this.waiting.push({
        statement: () => {
          try {
            resolve(run())
          } catch (e) {
            if (!isBusy(e)) return reject(e)
            this.untilFree(run).then(resolve, reject)
          }
        },
      }),
    )
  }

  /** Runs `run`; while another process holds the lock, tries again after short sleeps. */
  private async untilFree<T>(run: () => T): Promise<T> {
    const until = Date.now() + this.waitMs
    for (let attempt = 0; ; attempt++) {
      try {
        return run()
      } catch (e) {
        if (!isBusy(e) || Date.now() >= until) throw e
        await Bun.sleep(Math.min(5 * 2 ** attempt, 100, Math.max(1, until - Date.now())))
      }
    }
  }

  /** Takes the connection for a unit of work, waiting for the units ahead of it. */
  private acquire(): Promise<void> | undefined {
    if (!this.locked) {
      this.locked = true
      return undefined
    }
    return new Promise((resolve) => this.waiting.push({ unit: resolve }))
  }

  /** Hands the connection on: statements waiting before the next unit run now, in order. */
  private release(): void {
    for (;;) {
      const next = this.waiting.shift()
      if (!next) {
        this.locked = false
        return
      }
      if ('unit' in next) {
        next.unit() // stays locked: it is that unit's now
        return
      }
      next.statement()
    }
  }

  async atomically<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
    const wait = this.acquire()
    if (wait) await wait
    try {
      await this.untilFree(() => this.sqlite.run('BEGIN IMMEDIATE'))
      try {
        const result = await fn(this.inner)
        this.sqlite.run('COMMIT')
        return result
      } catch (e) {
        if (this.sqlite.inTransaction) this.sqlite.run('ROLLBACK')
        throw e
      }
    } finally {
      this.release()
    }
  }

  private async savepoint<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
    const name = `unit_${++this.depth}`
    this.sqlite.run(`SAVEPOINT ${name}`)
    try {
      const result = await fn(this.inner)
      this.sqlite.run(`RELEASE ${name}`)
      return result
    } catch (e) {
      this.sqlite.run(`ROLLBACK TO ${name}`)
      this.sqlite.run(`RELEASE ${name}`)
      throw e
    } finally {
      this.depth--
    }
  }

  /** Never waits: `select 1` reads nothing, so it may run inside another caller's open unit. */
  ping(): Promise<void> {
    return runNow(() => ping(this.sqlite))
  }

  async probe(timeoutMs?: number) {
    return probeDatabase(this.file, timeoutMs)
  }

  close(): void {
    this.sqlite.close()
  }
}

/** Runs a statement at once; its answer (or its error) as a promise. */
function runNow<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run())
  } catch (e) {
    return Promise.reject(e)
  }
}

// The statements become the class's methods, assigned in the constructor from the one table.
export interface SqliteQueue extends Statements {}
