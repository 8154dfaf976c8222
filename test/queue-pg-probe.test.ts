// Health of the PostgreSQL queue as /healthz sees it: the probe answers ok on a working database,
// and says why when the server is unreachable or the queue's tables are missing; the URL it is
// known by carries no password.
import { afterAll, expect, test } from 'bun:test'
import { openPgQueue } from '../src/queue/pg/open.ts'
import { probePg } from '../src/queue/pg/probe.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'

afterAll(dropSchemas)

test('a working database probes ok, and the queue is known by its URL without the password', async () => {
  const u = new URL(await freshSchemaUrl())
  if (!u.password) u.password = 'pw-hidden-4711' // trust authentication ignores it
  const q = await openPgQueue(u.toString())
  try {
    await q.ping()
    const r = await q.probe(2_000)
    expect(r.ok).toBe(true)
    expect(r.detail.ms).toBeGreaterThanOrEqual(0)
    expect(q.location).toContain(u.host)
    expect(new URL(q.location).password).toBe('')
    expect(q.location).not.toContain(decodeURIComponent(u.password))
  } finally {
    q.close()
  }
})

test('a database without the queue tables, or no server at all, probes not ok with the reason', async () => {
  const empty = await probePg(await freshSchemaUrl(), 2_000)
  expect(empty.ok).toBe(false)
  expect(empty.detail.error).toContain('runs')
  // Port 1: nothing listens there; a refused connection and a timeout are both "not ok".
  const down = await probePg('postgres://postgres@127.0.0.1:1/none', 1_000)
  expect(down.ok).toBe(false)
  expect(down.detail.error).toBeTruthy()
})

test('opening a queue on an unreachable server fails instead of starting without a database', async () => {
  await expect(
    openPgQueue('postgres://postgres@127.0.0.1:1/none?connect_timeout=2'),
  ).rejects.toThrow()
})
