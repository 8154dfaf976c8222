// A PostgreSQL server out of reach is a storage failure (the Slack intake then leaves the event
// for a retry instead of answering it as a bad request), while a refused write is not.
import { afterAll, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { isStorageFailure } from '../src/queue/errors.ts'
import { openPgQueue } from '../src/queue/pg/open.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'

afterAll(dropSchemas)

test('a statement on a server that is not there fails as a storage failure', async () => {
  const q = await openPgQueue('postgres://postgres@127.0.0.1:1/none?connect_timeout=2', {
    migrate: false,
  })
  try {
    const e = await q.isSeen('slack', 'e1').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(Error)
    expect(isStorageFailure(e)).toBe(true)
  } finally {
    q.close()
  }
})

test('a connection the server ends mid-way fails as a storage failure; an error from elsewhere does not', async () => {
  const q = await openPgQueue(await freshSchemaUrl(), { max: 1 })
  try {
    // The server ends this very connection (as a restart would) while the statement runs.
    const e = await q.db
      .execute(sql`SELECT pg_terminate_backend(pg_backend_pid())`)
      .catch((x: unknown) => x)
    expect(isStorageFailure(e)).toBe(true)
    // And an error from elsewhere with a network code is not a database outage.
    expect(
      isStorageFailure(Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' })),
    ).toBe(false)
  } finally {
    q.close()
  }
})

test('a write the database refuses (a constraint) is a fault of the request, not an outage', async () => {
  const q = await openPgQueue(await freshSchemaUrl())
  try {
    const refused = await q
      .registerWorker(1, { id: 'w', host: 'h', pid: 1, pidStart: null })
      .then(() => q.registerWorker(1, { id: 'w', host: 'h', pid: 1, pidStart: null }))
      .catch((x: unknown) => x)
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('23505')
    expect(refused).toBeInstanceOf(Error) // the same worker id twice: a fault, not an outage
    expect(isStorageFailure(refused)).toBe(false)
  } finally {
    q.close()
  }
})
