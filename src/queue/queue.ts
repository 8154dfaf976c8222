// The queue's interface: every read and write the bot makes of its database, asynchronous, so a
// backend whose driver answers later (a server over the network) fits under every caller unchanged.
import type { Db } from './db.ts'
import type { statements } from './statements.ts'

type Statements = typeof statements
/** A statement without its connection argument, answering with a promise. */
type Async<F> = F extends (db: Db, ...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : never

export type QueueOps = { readonly [K in keyof Statements]: Async<Statements[K]> } & {
  /**
   * A unit of work: what `fn` does through the handle it is given commits together, or not at
   * all if it throws. The database is held meanwhile, so `fn` awaits only that handle (files and
   * the network are read before). Nested units are savepoints.
   */
  atomically<T>(fn: (q: Queue) => Promise<T>): Promise<T>
}

/** What a wake-up is about: new work for the dispatchers, or messages for the deliverers. */
export type WakeTopic = 'dispatch' | 'outbox'

/**
 * Wake-ups shared by every bot process on one database (PostgreSQL's LISTEN/NOTIFY): work one
 * instance stores wakes the others at once. At most once: a wake-up lost (a dropped connection)
 * is covered by the slow fallback polls.
 */
export interface Wakeups {
  send(topic: WakeTopic): void
  /** `fn` hears the other processes' wake-ups, and both topics again after a reconnect */
  listen(fn: (topic: WakeTopic) => void): Promise<void>
}

export interface Queue extends QueueOps {
  /** present when other processes can share this database's wake-ups */
  readonly wakeups?: Wakeups
  /**
   * Resolves once every unit of work open now has ended, or is undefined when none is open. A
   * wake-up about work stored in a unit waits for it: before its COMMIT, the work is invisible to
   * a dispatcher woken on another connection, which would find nothing and sleep to its next poll.
   * SQLite leaves it out: its one connection runs nothing else while a unit holds it.
   */
  settled?(): Promise<void> | undefined
  /**
   * `fn` runs after each unit of work that rolled back. A claim passes over pending rows another
   * transaction has locked (SKIP LOCKED); when that transaction rolls back, nothing else would
   * tell the dispatchers the row is claimable again before their next poll.
   */
  onRollback?(fn: () => void): void
  /** where the data lives, for logs and health (a file path, or a server address) */
  readonly location: string
  /** the bot's own connection still answers */
  ping(): Promise<void>
  /** a fresh connection can take the write lock and let it go within `timeoutMs` */
  probe(timeoutMs?: number): Promise<{ ok: boolean; detail: { ms?: number; error?: string } }>
  close(): void
}
