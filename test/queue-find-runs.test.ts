// The history the web page reads: filters by namespace, job, state, who asked and when, the
// reader's hidden namespaces (except their own runs), and keyset pages that neither repeat nor
// skip a run. The same script runs on SQLite and on PostgreSQL.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { Queue } from '../src/queue/queue.ts'
import { backends, type Backend } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const HOUR = 3600_000

/** 30 runs: op_deploy / op_report / db_backup in turn, U1 and U2 in turn, one an hour. */
async function fill(backend: Backend, q: Queue) {
  const types = ['op_deploy', 'op_report', 'db_backup']
  const states = ['succeeded', 'failed', 'cancelled']
  for (let i = 0; i < 30; i++) {
    const type = types[i % 3]!
    const [ns, job] = type.split('_')
    await backend.exec(
      q,
      `insert into runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel, request_text, params, command)
       values (?, ?, ?, ?, ?, ?, 'slack', ?, 'C1', ?, '{}', 'true')`,
      [
        ns,
        job,
        type,
        states[Math.floor(i / 3) % 3],
        T0 + i * HOUR,
        T0 + i * HOUR,
        `U${(i % 2) + 1}`,
        `${ns} ${job}`,
      ],
    )
  }
}

for (const backend of backends)
  describe(backend.name, () => {
    let q: Queue
    beforeEach(async () => {
      q = await backend.open()
      await fill(backend, q)
    })
    afterEach(() => q.close())

    test('pages go back in time without repeating or skipping a run', async () => {
      const seen: number[] = []
      let before: number | undefined
      for (let page = 0; page < 10; page++) {
        const res = await q.findRuns({}, 7, before)
        seen.push(...res.rows.map((r) => r.id))
        if (!res.next) break
        before = res.next
      }
      expect(seen).toEqual([...seen].sort((a, b) => b - a))
      expect(new Set(seen).size).toBe(30)
    })

    test('each filter narrows the list to the runs it names', async () => {
      const all = (await q.findRuns({}, 100)).rows
      const ids = (rows: { id: number }[]) => rows.map((r) => r.id)
      const pick = (f: (r: (typeof all)[number]) => boolean) => ids(all.filter(f))
      expect(ids((await q.findRuns({ namespace: 'op' }, 100)).rows)).toEqual(
        pick((r) => r.namespace === 'op'),
      )
      expect(ids((await q.findRuns({ jobType: 'db_backup' }, 100)).rows)).toEqual(
        pick((r) => r.jobType === 'db_backup'),
      )
      expect(ids((await q.findRuns({ states: ['failed'] }, 100)).rows)).toEqual(
        pick((r) => r.state === 'failed'),
      )
      expect(ids((await q.findRuns({ requestedBy: 'U2' }, 100)).rows)).toEqual(
        pick((r) => r.requestedBy === 'U2'),
      )
      const day = await q.findRuns({ from: T0 + 5 * HOUR, to: T0 + 8 * HOUR }, 100)
      expect(day.rows.map((r) => r.queuedAt)).toEqual([7, 6, 5].map((h) => T0 + h * HOUR))
      const both = await q.findRuns(
        { namespace: 'op', states: ['succeeded'], requestedBy: 'U1' },
        100,
      )
      expect(ids(both.rows)).toEqual(
        pick((r) => r.namespace === 'op' && r.state === 'succeeded' && r.requestedBy === 'U1'),
      )
      expect(both.rows.length).toBeGreaterThan(0)
    })

    test('a hidden namespace shows only the runs the reader asked for', async () => {
      const res = await q.findRuns({ hidden: ['db'], reader: 'U2' }, 100)
      expect(
        res.rows.filter((r) => r.namespace === 'db').every((r) => r.requestedBy === 'U2'),
      ).toBe(true)
      expect(res.rows.some((r) => r.namespace === 'db')).toBe(true)
      const stranger = await q.findRuns(
        { hidden: ['db'], hiddenTypes: ['op_report'], reader: 'U9' },
        100,
      )
      expect(stranger.rows.map((r) => r.jobType).sort()).toEqual(Array(10).fill('op_deploy'))
    })
  })
