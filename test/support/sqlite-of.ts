// The SQLite queue under a test's context, for assertions on rows and raw SQL.
import type { AppContext } from '../../src/app/context.ts'
import { SqliteQueue } from '../../src/queue/sqlite-queue.ts'

export function sqliteOf(ctx: Pick<AppContext, 'queue'>): SqliteQueue {
  if (!(ctx.queue instanceof SqliteQueue)) throw new Error('this test needs the SQLite queue')
  return ctx.queue
}
