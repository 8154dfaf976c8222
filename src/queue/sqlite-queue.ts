// The SQLite queue behind the asynchronous Queue interface. Statements run synchronously on one
// bun:sqlite connection. A unit of work holds that connection from BEGIN IMMEDIATE to COMMIT,
// across the awaits of its callback, and every other call waits for it to end: a statement issued
// on the same connection meanwhile would silently become part of the open transaction.
import type { Database } from 'bun:sqlite'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db } from './db.ts'
import { ping, probeDatabase } from './probe.ts'
import type { Queue, QueueOps } from './queue.ts'
import { statements } from './statements.ts'

/** The unit of work the current async call chain runs inside, if any. */
const currentUnit = new AsyncLocalStorage<SqliteQueue>()

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every statement
export class SqliteQueue implements Queue {
  /** settles when the unit of work in progress ends */
  private held: Promise<void> | null = null
  private depth = 0
  readonly location: string

  constructor(
    /** the raw connection, for tests and benchmarks of the SQLite layer itself */
    readonly sqlite: Database,
    readonly db: Db,
    readonly file: string,
  ) {
    this.location = file
    const outer = bindStatements(db, () => this.turn())
    const inner = bindStatements(db, () => undefined)
    Object.assign(this, outer)
    // The handle a unit of work is given: the same statements, entered without waiting.
    this.inner = Object.assign(inner, {
      location: file,
      atomically: <T>(fn: (q: Queue) => Promise<T>) => this.savepoint(fn),
      ping: async () => ping(sqlite),
      probe: (timeoutMs?: number) => this.probe(timeoutMs),
      close: () => {
        throw new Error('the queue cannot be closed from inside a unit of work')
      },
    })
  }

  private readonly inner: Queue

  /** Waits while a unit of work holds the connection; undefined (no wait) when none does. */
  private turn(): Promise<void> | undefined {
    if (!this.held) return undefined
    if (currentUnit.getStore() === this)
      throw new Error(
        'the queue was called from inside a unit of work: use the handle it was given',
      )
    return this.waitFree()
  }

  private async waitFree(): Promise<void> {
    while (this.held) await this.held
  }

  async atomically<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
    if (this.held) {
      if (currentUnit.getStore() === this)
        throw new Error('a unit of work was opened inside another: use the handle it was given')
      await this.waitFree()
    }
    let release!: () => void
    this.held = new Promise((r) => (release = r))
    try {
      this.sqlite.run('BEGIN IMMEDIATE')
      try {
        const result = await currentUnit.run(this, () => fn(this.inner))
        this.sqlite.run('COMMIT')
        return result
      } catch (e) {
        if (this.sqlite.inTransaction) this.sqlite.run('ROLLBACK')
        throw e
      }
    } finally {
      this.held = null
      release()
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

  async ping(): Promise<void> {
    await this.turn()
    ping(this.sqlite)
  }

  async probe(timeoutMs?: number) {
    return probeDatabase(this.file, timeoutMs)
  }

  close(): void {
    this.sqlite.close()
  }
}

// The statements become the class's methods, assigned in the constructor from the one table.
export interface SqliteQueue extends Statements {}

type AnyStatement = (db: Db, ...args: never[]) => unknown

/** Each statement as an async method on `db`, entered once `turn` allows. */
function bindStatements(db: Db, turn: () => Promise<void> | undefined) {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {}
  for (const [name, fn] of Object.entries(statements) as [string, AnyStatement][]) {
    out[name] = async (...args: never[]) => {
      const wait = turn()
      if (wait) await wait
      return fn(db, ...args)
    }
  }
  return out as unknown as Statements
}

type Statements = Omit<QueueOps, 'atomically'>
