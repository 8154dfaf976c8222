// Migrations on a real SQLite file: a database made by an earlier release keeps its data when
// the later migrations are applied (here, the progress message id moving to its own column).
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { openQueue } from '../src/queue/db.ts'
import { runMigrations } from '../src/queue/migrate.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const all = readMigrationFiles({ migrationsFolder: join(import.meta.dir, '../drizzle') })

test('a run with a progress message from before 0005 keeps it as progress_outbox_id', async () => {
  const file = join(tempDir(), 'old.db')
  const old = new Database(file, { create: true })
  const before = all.findIndex((m) => m.sql.some((s) => s.includes('progress_outbox_id')))
  expect(before).toBeGreaterThan(0)
  runMigrations(old, all.slice(0, before))
  old.run(
    `INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel,
      request_text, params, command, progress_ts) VALUES
      ('b', 'j', 'b_j', 'running', 0, 0, 'slack', 'U1', 'C1', 'b j', '{}', 'true', 'outbox:42'),
      ('b', 'k', 'b_k', 'succeeded', 0, 0, 'slack', 'U1', 'C1', 'b k', '{}', 'true', NULL)`,
  )
  old.close()

  const q = openQueue(file)
  expect((await q.getRun(1))?.progressOutboxId).toBe(42)
  expect((await q.getRun(2))?.progressOutboxId).toBeNull()
  const columns = q.sqlite.query('PRAGMA table_info(runs)').all() as { name: string }[]
  expect(columns.map((c) => c.name)).not.toContain('progress_ts')
  q.close()
})
