// The PostgreSQL queue behind the Queue interface: statements run on a postgres.js pool through
// Drizzle; a unit of work is a real transaction on one pooled connection (nested units are
// savepoints), so statements outside it run beside it on other connections, never inside it.
import type { Sql } from 'postgres'
import type { Queue, QueueOps, Wakeups } from '../queue.ts'
import type { PgDb } from './db.ts'
import { probePg } from './probe.ts'
import { pgStatements } from './statements.ts'
import { pgWakeups } from './wakeups.ts'

type Statements = Omit<QueueOps, 'atomically'>
type AnyStatement = (db: PgDb, ...args: never[]) => Promise<unknown>

/** The statements bound to one connection or transaction. */
function bound(db: PgDb): Statements {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {}
  for (const [name, fn] of Object.entries(pgStatements) as [string, AnyStatement][])
    out[name] = (...args: never[]) => fn(db, ...args)
  return out as unknown as Statements
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every statement
export class PgQueue implements Queue {
  readonly wakeups: Wakeups

  constructor(
    /** the raw client, for tests of the PostgreSQL layer itself */
    readonly client: Sql,
    readonly db: PgDb,
    /** the server and database, without credentials */
    readonly location: string,
    private readonly url: string,
  ) {
    Object.assign(this, bound(db))
    this.wakeups = pgWakeups(client)
  }

  /** units of work begun and not yet committed or rolled back */
  private readonly open = new Set<Promise<unknown>>()
  private readonly rolledBack: (() => void)[] = []

  atomically<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
    const unit = this.db.transaction((tx) => fn(this.unit(tx)))
    const ended: Promise<unknown> = unit.then(
      () => this.open.delete(ended),
      () => {
        this.open.delete(ended)
        for (const f of this.rolledBack) f()
      },
    )
    this.open.add(ended)
    return unit
  }

  onRollback(fn: () => void): void {
    this.rolledBack.push(fn)
  }

  settled(): Promise<void> | undefined {
    if (!this.open.size) return undefined
    return Promise.all(this.open).then(() => {})
  }

  /** The handle a unit of work is given: its transaction's statements, savepoints for nesting. */
  private unit(tx: PgDb): Queue {
    return Object.assign(bound(tx), {
      location: this.location,
      wakeups: this.wakeups,
      atomically: <T>(fn: (q: Queue) => Promise<T>) => tx.transaction((sp) => fn(this.unit(sp))),
      ping: () => this.ping(),
      settled: () => this.settled(),
      onRollback: (f: () => void) => this.onRollback(f),
      probe: (timeoutMs?: number) => this.probe(timeoutMs),
      close: () => {
        throw new Error('the queue cannot be closed from inside a unit of work')
      },
    })
  }

  async ping(): Promise<void> {
    await this.client`select 1`
  }

  probe(timeoutMs?: number) {
    return probePg(this.url, timeoutMs)
  }

  close(): void {
    // Statements already sent finish; the pool then closes its connections.
    void this.client.end({ timeout: 5 })
  }
}

export interface PgQueue extends Statements {}
