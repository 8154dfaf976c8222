// A request's command, written once its id is known: a flow run's command names its run-id file
// after the run (metaflow/launch.ts), so it is set in the transaction that created the row.
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, type Run } from './schema.ts'

/** Only before the request starts: a running command is history and is never rewritten. */
export function setRequestCommand(db: Db, id: number, command: string): Run | undefined {
  return db
    .update(runs)
    .set({ command })
    .where(and(eq(runs.id, id), inArray(runs.state, ['pending', 'awaiting_approval'])))
    .returning()
    .get()
}
