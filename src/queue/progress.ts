// The live progress message of a run: which outbox message is edited, and when it last was.
import { eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs } from './schema.ts'

/** The run's progress message is this outbox row, posted at `now`. */
export function setProgressMessage(db: Db, runId: number, outboxId: number, now: number): void {
  db.update(runs)
    .set({ progressOutboxId: outboxId, progressAt: now })
    .where(eq(runs.id, runId))
    .run()
}

/** The progress message was edited at `now`. */
export function touchProgress(db: Db, runId: number, now: number): void {
  db.update(runs).set({ progressAt: now }).where(eq(runs.id, runId)).run()
}
