// The rest of the Queue interface on both backends, each answer as a caller relies on it:
// approvals, the outbox, deliveries seen, workers, out of office, history, stats, wake-ups,
// and the Metaflow thread transitions. The same script runs on SQLite and on PostgreSQL.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { Queue } from '../src/queue/queue.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const req = (jobType: string, extra: Partial<RequestInput> = {}): RequestInput => {
  const [namespace, job] = jobType.split('_') as [string, string]
  return {
    namespace,
    job,
    jobType,
    door: 'slack',
    requestedBy: 'U1',
    channel: 'C1',
    threadTs: '1.0',
    requestText: jobType,
    params: { a: '1' },
    command: 'true',
    delaySeconds: 0,
    ...extra,
  }
}

for (const backend of backends)
  describe(backend.name, () => {
    let q: Queue
    beforeEach(async () => {
      q = await backend.open()
    })
    afterEach(() => q.close())

    test('an approved request becomes pending and supersedes an older one; a second decision changes nothing', async () => {
      const older = (await q.scheduleRequest(T0, req('op_deploy', { delaySeconds: 60 }))).run
      const asked = await q.requestApproval(T0 + 1, req('op_deploy'), T0 + 600_000)
      expect(asked).toMatchObject({ state: 'awaiting_approval', approval: 'required' })
      expect(await q.claimNext(T0 + 2, 'w', 4)).toBeUndefined() // the older one is not due, the asked one waits
      const decided = await q.decideApproval(T0 + 10, asked.id, 'U2', true)
      expect(decided).toMatchObject({
        kind: 'approved',
        run: { id: asked.id, state: 'pending', approvalBy: 'U2', dueAt: T0 + 10 },
        replaced: { id: older.id },
      })
      expect((await q.getRun(older.id))?.detail).toBe(`superseded by approved run ${asked.id}`)
      expect((await q.decideApproval(T0 + 11, asked.id, 'U3', false)).kind).toBe('not_awaiting')
      const denied = await q.requestApproval(T0, req('op_other'), T0 + 600_000)
      expect(await q.decideApproval(T0 + 12, denied.id, 'U3', false)).toMatchObject({
        kind: 'denied',
        run: { state: 'cancelled', approval: 'denied', cancelledBy: 'U3' },
      })
    })

    test('approvals nobody gave in time expire once, and the next wake-up knows when', async () => {
      const a = await q.requestApproval(T0, req('op_deploy'), T0 + 5_000)
      await q.scheduleRequest(T0, req('op_late', { delaySeconds: 30 }))
      await q.addSuppression(T0, 'op_x', T0 - 1, T0 + 20_000, 'U1')
      expect(await q.nextWakeAt(T0)).toBe(T0 + 5_000)
      expect(await q.expireApprovals(T0 + 4_999)).toEqual([])
      const expired = await q.expireApprovals(T0 + 5_000)
      expect(expired.map((r) => [r.id, r.approval, r.state])).toEqual([
        [a.id, 'expired', 'cancelled'],
      ])
      expect(await q.expireApprovals(T0 + 6_000)).toEqual([])
      expect(await q.nextWakeAt(T0 + 6_000)).toBe(T0 + 20_000)
      expect(await q.nextWakeAt(T0 + 20_000)).toBe(T0 + 30_000)
    })

    test('the command of a request can be set until it starts', async () => {
      const run = (await q.scheduleRequest(T0, req('op_deploy'))).run
      expect((await q.setRequestCommand(run.id, 'echo 1'))?.command).toBe('echo 1')
      await q.claimNext(T0, 'w', 4)
      expect(await q.setRequestCommand(run.id, 'echo 2')).toBeUndefined()
      expect((await q.getRun(run.id))?.command).toBe('echo 1')
    })

    test('a run started, flagged, quieted and finished by its owner only', async () => {
      const run = (await q.scheduleRequest(T0, req('op_deploy'))).run
      await q.claimNext(T0, 'w1', 4)
      expect((await q.runningOfType('op_deploy'))?.id).toBe(run.id)
      const files = { pid: 42, pidStart: '7', stdoutPath: '/o', stderrPath: '/e' }
      expect(await q.recordStart(run.id, 'w2', files)).toBeUndefined()
      expect(await q.recordStart(run.id, 'w1', files)).toMatchObject({ pid: 42, stdoutPath: '/o' })
      await q.removeJob(T0, run.id, 'U9')
      expect(await q.cancelRequests('w1')).toEqual([{ id: run.id, by: 'U9' }])
      expect(await q.cancelRequests('w2')).toEqual([])
      expect((await q.setQuiet(run.id, true))?.quiet).toBe(true)
      await q.setProgressMessage(run.id, 5, T0 + 1)
      await q.touchProgress(run.id, T0 + 2)
      expect(await q.getRun(run.id)).toMatchObject({ progressOutboxId: 5, progressAt: T0 + 2 })
      expect(await q.threadRun('C1', '1.0')).toMatchObject({ id: run.id })
      const outcome = { state: 'failed' as const, exitCode: 3, detail: 'bad' }
      expect(await q.finishRun(T0 + 3, run.id, 'w2', outcome)).toBeUndefined()
      expect(await q.finishRun(T0 + 3, run.id, 'w1', outcome)).toMatchObject({
        state: 'failed',
        exitCode: 3,
        finishedAt: T0 + 3,
      })
      expect(await q.finishRun(T0 + 4, run.id, 'w1', { state: 'succeeded' })).toBeUndefined()
      expect(await q.runningRuns()).toEqual([])
    })

    test('history pages newest first with its total, filtered and hiding namespaces', async () => {
      for (const t of ['a_x', 'b_x', 'a_y', 'c_x']) {
        await q.scheduleRequest(T0, req(t))
        const r = await q.claimNext(T0, 'w', 9)
        await q.finishRun(T0, r!.id, 'w', { state: 'succeeded', exitCode: 0 })
      }
      const page = await q.listHistory({}, 2, 1)
      expect(page).toMatchObject({ total: 4, capped: false, more: true })
      expect(page.rows.map((r) => r.jobType)).toEqual(['a_y', 'b_x'])
      expect((await q.listHistory({ namespace: 'a' }, 10, 0)).rows.map((r) => r.jobType)).toEqual([
        'a_y',
        'a_x',
      ])
      expect((await q.listHistory({ hidden: ['a', 'c'] }, 10, 0)).total).toBe(1)
      // Jobs the asker may not run are left out, not only whole namespaces.
      const visible = await q.listHistory({ hiddenTypes: ['a_y', 'c_x'] }, 10, 0)
      expect(visible.rows.map((r) => r.jobType)).toEqual(['b_x', 'a_x'])
      expect(visible.total).toBe(2)
      expect((await q.listHistory({ state: 'failed' }, 10, 0)).total).toBe(0)
    })

    test('history counts its total only up to the cap, and still knows whether older runs follow', async () => {
      // 1,005 finished runs in one statement (a recursive CTE reads the same on both backends).
      await backend.exec(
        q,
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
         INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by,
                           channel, request_text, params, command)
         SELECT 'h', 'j', CASE WHEN i % 2 = 0 THEN 'h_even' ELSE 'h_odd' END,
                CASE WHEN i = 1005 THEN 'failed' ELSE 'succeeded' END, ?, ?, 'slack', 'U1', 'C1',
                'h j', '{}', 'true'
         FROM n`,
        [T0, T0],
      )
      const newest = await q.listHistory({}, 10, 0)
      expect(newest).toMatchObject({ total: 1000, capped: true, more: true })
      expect(newest.rows).toHaveLength(10)
      expect(newest.rows[0]).toMatchObject({ state: 'failed', params: {} })
      const ids = newest.rows.map((r) => r.id)
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
      // Past the cap: the last page, no more after it, the total still "more than 1,000".
      const last = await q.listHistory({}, 10, 1000)
      expect(last).toMatchObject({ total: 1000, capped: true, more: false })
      expect(last.rows).toHaveLength(5)
      // Under the cap the count is exact, whatever the filter.
      expect(await q.listHistory({ state: 'failed' }, 10, 0)).toMatchObject({
        total: 1,
        capped: false,
        more: false,
      })
      const odd = await q.listHistory({ jobType: 'h_odd' }, 10, 490)
      expect(odd).toMatchObject({ total: 503, capped: false, more: true })
      const shown = await q.listHistory({ hiddenTypes: ['h_even'], state: 'succeeded' }, 10, 500)
      expect(shown).toMatchObject({ total: 502, capped: false, more: false })
      expect(shown.rows.map((r) => r.jobType)).toEqual(['h_odd', 'h_odd'])
      expect((await q.listHistory({ hidden: ['h'] }, 10, 0)).rows).toEqual([])
      expect(await q.listHistory({ namespace: 'h' }, 10, 0)).toMatchObject({ capped: true })
    })

    test('stats count waiting and running requests, and the lag of the oldest startable one', async () => {
      await q.scheduleRequest(T0, req('a_x'))
      await q.claimNext(T0, 'w', 4)
      await q.scheduleRequest(T0, req('a_x')) // behind the running one: waits by design
      await q.scheduleRequest(T0 + 1_000, req('b_x'))
      await q.scheduleRequest(T0, req('c_x', { delaySeconds: 600 }))
      expect(await q.queueStats(T0 + 4_000)).toEqual({ queued: 3, running: 1, lagMs: 3_000 })
    })

    test('the outbox keeps order, coalesces waiting edits and records each delivery', async () => {
      const msgs = [1, 2, 3].map((n) => ({ kind: 'message', channel: 'C1', text: `m${n}` }))
      const rows = await q.enqueueOutgoing(T0, 'slack', msgs, 7)
      expect(rows.map((r) => (r.payload as { text: string }).text)).toEqual(['m1', 'm2', 'm3'])
      await q.enqueueUpdate(T0, 'slack', { kind: 'update', channel: 'C1', editOf: 1, text: 'a' }, 7)
      await q.enqueueUpdate(T0, 'slack', { kind: 'update', channel: 'C1', editOf: 1, text: 'b' }, 7)
      await q.enqueueUpdate(T0, 'slack', { kind: 'update', channel: 'C1', editOf: 2, text: 'c' }, 7)
      const pending = await q.pendingOutgoing('slack')
      expect(pending.map((r) => (r.payload as { text: string }).text)).toEqual([
        'm1',
        'm2',
        'm3',
        'b',
        'c',
      ])
      expect(await q.pendingOutgoing('local')).toEqual([])
      await q.markSent(T0 + 1, rows[0]!.id, { ts: '9.9' })
      await q.markRetry(rows[1]!.id, T0 + 5_000, 'rate limited')
      await q.markFailed(T0 + 2, rows[2]!.id, 'channel_not_found')
      expect(await q.getOutgoing(rows[0]!.id)).toMatchObject({
        state: 'sent',
        attempts: 1,
        sentAt: T0 + 1,
        result: { ts: '9.9' },
      })
      expect(await q.getOutgoing(rows[1]!.id)).toMatchObject({
        state: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 5_000,
        lastError: 'rate limited',
      })
      expect(await q.getOutgoing(rows[2]!.id)).toMatchObject({ state: 'failed', attempts: 1 })
      expect((await q.pendingOutgoing('slack')).length).toBe(3)
      expect(await q.enqueueOutgoing(T0, 'slack', [])).toEqual([])
    })

    test('a delivery is taken once, or once per window, and can be released', async () => {
      expect(await q.markSeen(T0, 'slack', 'e1', 3)).toBe(true)
      expect(await q.markSeen(T0, 'slack', 'e1')).toBe(false)
      expect(await q.isSeen('slack', 'e1')).toBe(true)
      expect(await q.seenRun('slack', 'e1')).toEqual({ runId: 3 })
      expect(await q.seenRun('slack', 'nope')).toBeUndefined()
      await q.unmarkSeen('slack', 'e1')
      expect(await q.isSeen('slack', 'e1')).toBe(false)
      expect(await q.markSeenWithin(T0, 'button', 'b', 1_000)).toBe(true)
      expect(await q.markSeenWithin(T0 + 999, 'button', 'b', 1_000)).toBe(false)
      expect(await q.markSeenWithin(T0 + 1_000, 'button', 'b', 1_000)).toBe(true)
      expect(await q.markSeenWithin(T0 + 1_500, 'button', 'b', 1_000)).toBe(false)
    })

    test('workers register, beat and stop; out of office is set, replaced and cleared', async () => {
      const w = { id: 'h:1:a', host: 'h', pid: 1, pidStart: '9' }
      expect(await q.registerWorker(T0, w)).toMatchObject({ ...w, startedAt: T0, stoppedAt: null })
      await q.heartbeat(T0 + 5, w.id)
      expect((await q.getWorker(w.id))?.heartbeatAt).toBe(T0 + 5)
      await q.markStopped(T0 + 9, w.id)
      expect(await q.getWorker(w.id)).toMatchObject({ stoppedAt: T0 + 9, heartbeatAt: T0 + 9 })
      expect(await q.getAway()).toBeUndefined()
      await q.setAway(T0, { startsOn: '2026-11-23', endsOn: '2026-11-24' }, 'U1')
      await q.setAway(T0, { startsOn: '2026-11-25', endsOn: '2026-11-26' }, 'U2')
      expect(await q.getAway()).toEqual({
        startsOn: '2026-11-25',
        endsOn: '2026-11-26',
        setBy: 'U2',
      })
      expect(await q.clearAway()).toBe(true)
      expect(await q.clearAway()).toBe(false)
    })

    test('a flow started from chat learns its run id once, and the watcher sees what is open', async () => {
      const key = { door: 'slack' as const, channel: 'C1', threadTs: '5.0' }
      const started = await q.followInThread(T0, key, {
        flow: 'F',
        runId: null,
        watching: true,
        lastStatus: null,
        ebmbotRunId: 11,
      })
      const other = await q.followInThread(
        T0,
        { ...key, threadTs: '6.0' },
        {
          flow: 'F',
          runId: null,
          watching: true,
          lastStatus: null,
          ebmbotRunId: 11,
        },
      )
      expect((await q.threadsToWatch()).map((t) => t.id).sort()).toEqual(
        [started.id, other.id].sort(),
      )
      expect(await q.releaseEbmbotRun(T0 + 1, 11, started.id)).toBe(1)
      expect(await q.getThreadById(other.id)).toMatchObject({ ebmbotRunId: null, watching: false })
      expect(await q.recordRunId(T0 + 2, started.id, 11, '77')).toMatchObject({ runId: '77' })
      expect(await q.recordRunId(T0 + 3, started.id, 11, '78')).toBeUndefined()
      expect((await q.threadsToWatch()).map((t) => t.id)).toEqual([started.id])
      expect(await q.setWatching(T0 + 4, started.id, false, 'finished')).toMatchObject({
        watching: false,
        lastStatus: 'finished',
      })
      expect(await q.threadsToWatch()).toEqual([])
    })

    test('the outbox shows one head per channel and its backlog per door', async () => {
      const m = (channel: string, text: string) => ({ kind: 'message', channel, text })
      const rows = await q.enqueueOutgoing(T0, 'slack', [m('C1', 'a'), m('C2', 'b'), m('C1', 'c')])
      await q.enqueueOutgoing(T0 + 5, 'local', [m('C1', 'd')])
      expect((await q.outboxHeads('slack')).map((r) => r.id)).toEqual([rows[0]!.id, rows[1]!.id])
      await q.markSent(T0 + 1, rows[0]!.id, null)
      expect((await q.outboxHeads('slack')).map((r) => r.id)).toEqual([rows[1]!.id, rows[2]!.id])
      const backlog = (await q.outboxBacklog()).sort((a, b) => a.door.localeCompare(b.door))
      expect(backlog).toEqual([
        { door: 'local', pending: 1, oldestAt: T0 + 5 },
        { door: 'slack', pending: 2, oldestAt: T0 },
      ])
    })

    test('a Metaflow run started from chat leads back to its ebmbot run; a parked thread keeps its conversation', async () => {
      const run = (await q.scheduleRequest(T0, req('mf_train'))).run
      const key = { door: 'slack' as const, channel: 'C1', threadTs: '5.0' }
      const row = await q.followInThread(T0, key, {
        flow: 'F',
        runId: '77',
        watching: true,
        lastStatus: null,
        ebmbotRunId: run.id,
      })
      expect((await q.ebmbotRunOf('F', '77'))?.id).toBe(run.id)
      expect(await q.ebmbotRunOf('F', '78')).toBeUndefined()
      expect((await q.threadsOfEbmbotRun(run.id)).map((t) => t.id)).toEqual([row.id])
      const parked = await q.parkThread(T0 + 1, row)
      expect(parked?.threadTs).toBe(`5.0#${row.id}`)
      expect(await q.parkThread(T0 + 2, row)).toBeUndefined() // already moved
      const now = await q.followInThread(T0 + 3, key, {
        flow: 'G',
        runId: '9',
        watching: false,
        lastStatus: null,
        ebmbotRunId: null,
      })
      expect((await q.threadsOfConversation('C1', '5.0')).map((t) => t.id)).toEqual([
        row.id,
        now.id,
      ])
      expect(await q.threadsOfConversation('C1', '6.0')).toEqual([])
    })

    test('the snapshot lists runs awaiting approval, oldest first', async () => {
      const a = await q.requestApproval(T0, req('op_a'), T0 + 60_000)
      const b = await q.requestApproval(T0, req('op_b'), T0 + 60_000)
      await q.scheduleRequest(T0, req('op_c'))
      const snap = await q.snapshot(T0)
      expect(snap.awaiting.map((r) => r.id)).toEqual([a.id, b.id])
      expect(snap.scheduled.map((r) => r.jobType)).toEqual(['op_c'])
    })
  })
