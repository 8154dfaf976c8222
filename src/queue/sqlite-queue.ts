// The SQLite queue behind the asynchronous Queue interface. Statements run synchronously on one
// bun:sqlite connection. A unit of work holds that connection from BEGIN IMMEDIATE to COMMIT,
// across the awaits of its callback, and every other call waits for it to end: a statement issued
// on the same connection meanwhile would silently become part of the open transaction.
//
// Group commit: the units asked for in the same turn of the event loop share one transaction, each
// in a savepoint of its own, and every caller is answered only after that transaction's COMMIT (a
// COMMIT costs more than the few statements of a unit, and a delivery or an event is acknowledged
// only once its rows are stored). A unit that throws rolls back its own savepoint alone; a COMMIT
// that fails (a full disk) fails every unit of the group, so none is acknowledged. Units run one
// at a time, in the order they were asked for; statements issued meanwhile wait for the COMMIT,
// first come, first served. Inside a unit, use only the handle it is given: a call on the queue
// itself would wait for the unit to end, which waits for that call. Tracking the caller with
// AsyncLocalStorage would catch it, but in Bun that taxes every promise in the process.
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

/** A unit of work asked for and not yet answered. */
interface Unit {
  fn: (q: Queue) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * At most this many units share a transaction: a COMMIT is paid once per group, and a burst (a
 * thousand Slack events at once) is answered group by group rather than all at its very end.
 */
const MAX_GROUP = 32

type Statements = Omit<QueueOps, 'atomically'>
type AnyStatement = (db: Db, ...args: never[]) => unknown

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every statement
export class SqliteQueue implements Queue {
  /** a group of units holds the connection (or is about to start) */
  private locked = false
  /** statements that came while a group held the connection, run at its end in order */
  private readonly waiting: (() => void)[] = []
  /** units asked for and not yet begun: the next group (or the running one) takes them */
  private readonly units: Unit[] = []
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
      this.waiting.push(() => {
        try {
          resolve(run())
        } catch (e) {
          if (!isBusy(e)) return reject(e)
          this.untilFree(run).then(resolve, reject)
        }
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

  /** Hands the connection on: statements that waited run now, in order, then the next group. */
  private release(): void {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) next()
    if (this.units.length) setImmediate(() => void this.runGroup())
    else this.locked = false
  }

  atomically<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.units.push({ fn, resolve: resolve as (v: unknown) => void, reject })
      if (this.locked) return // the running group takes it, or the next one
      this.locked = true
      // The rest of this turn's units (other requests read in the same loop turn) join it.
      setImmediate(() => void this.runGroup())
    })
  }

  /** One transaction for the units waiting, and those asked for while it runs. */
  private async runGroup(): Promise<void> {
    const taken = this.units.splice(0, MAX_GROUP)
    try {
      await this.untilFree(() => this.sqlite.run('BEGIN IMMEDIATE'))
    } catch (e) {
      for (const u of taken) u.reject(e)
      return this.release()
    }
    // Failures wait for the COMMIT too: a unit may have failed on an earlier unit's uncommitted
    // row (a delivery id seen twice), and that row may yet be lost.
    let outcomes: { unit: Unit; ok: boolean; value: unknown }[] = []
    for (let i = 0; ; i++) {
      if (i === taken.length && taken.length < MAX_GROUP && this.units.length)
        taken.push(this.units.shift()!)
      const unit = taken[i]
      if (!unit) break
      try {
        this.sqlite.run('SAVEPOINT grouped')
        const value = await unit.fn(this.inner)
        this.sqlite.run('RELEASE grouped')
        outcomes.push({ unit, ok: true, value })
      } catch (e) {
        if (this.sqlite.inTransaction && this.undoSavepoint()) {
          outcomes.push({ unit, ok: false, value: e })
          continue
        }
        // SQLite ended the whole transaction (a full disk, an I/O error): the units before this
        // one are not stored either; those after it get a transaction of their own.
        outcomes = [...outcomes, { unit, ok: false, value: e }].map((o) => ({
          ...o,
          ok: false,
          value: e,
        }))
        this.units.unshift(...taken.slice(i + 1))
        break
      }
    }
    try {
      if (this.sqlite.inTransaction) this.sqlite.run('COMMIT')
    } catch (e) {
      this.abandon()
      outcomes = outcomes.map((o) => ({ ...o, ok: false, value: e }))
    }
    this.release()
    for (const o of outcomes) (o.ok ? o.unit.resolve : o.unit.reject)(o.value)
  }

  /** Rolls back the failed unit's savepoint; false when the transaction could not be kept. */
  private undoSavepoint(): boolean {
    try {
      this.sqlite.run('ROLLBACK TO grouped')
      this.sqlite.run('RELEASE grouped')
      return true
    } catch {
      this.abandon()
      return false
    }
  }

  /** Ends an open transaction without keeping anything of it. */
  private abandon(): void {
    try {
      if (this.sqlite.inTransaction) this.sqlite.run('ROLLBACK')
    } catch {
      // nothing more to undo: SQLite rolls back what it cannot commit
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
