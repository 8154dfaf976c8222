// The two queue backends, for tests that must hold on both: a fresh SQLite file, or a fresh
// PostgreSQL schema (see postgres.ts), each opened through the Queue interface callers use.
import { join } from 'node:path'
import { openQueue } from '../../src/queue/db.ts'
import { openPgQueue } from '../../src/queue/pg/open.ts'
import type { PgQueue } from '../../src/queue/pg/pg-queue.ts'
import type { Queue } from '../../src/queue/queue.ts'
import type { SqliteQueue } from '../../src/queue/sqlite-queue.ts'
import { freshSchemaUrl } from './postgres.ts'
import { tempDir } from './temp.ts'

export interface Backend {
  name: 'sqlite' | 'postgres'
  /** a new, empty, migrated queue */
  open(): Promise<Queue>
  /** another connection to the same database, as a second process would have */
  another(q: Queue): Promise<Queue>
  /** raw SQL with `?` parameters, as a writer that skips the queue's statements */
  exec(q: Queue, text: string, params: unknown[]): Promise<void>
}

const sqlite: Backend = {
  name: 'sqlite',
  open: async () => openQueue(join(tempDir(), 'q.db')),
  another: async (q) => openQueue((q as SqliteQueue).file),
  exec: async (q, text, params) => {
    ;(q as SqliteQueue).sqlite.run(text, params as never)
  },
}

const urls = new WeakMap<Queue, string>()
const pg: Backend = {
  name: 'postgres',
  open: async () => {
    const url = await freshSchemaUrl()
    const q = await openPgQueue(url)
    urls.set(q, url)
    return q
  },
  another: async (q) => {
    const other = await openPgQueue(urls.get(q)!)
    urls.set(other, urls.get(q)!)
    return other
  },
  exec: async (q, text, params) => {
    let n = 0
    await (q as PgQueue).client.unsafe(
      text.replace(/\?/g, () => `$${++n}`),
      params as never[],
    )
  },
}

export const backends: Backend[] = [sqlite, pg]
