// Several bot processes on one database, at the queue: each outbox message is sent by one of
// them, a dead one's messages are taken over, one survivor records a dead peer, a peer found
// dead comes back on its next heartbeat, and (PostgreSQL) a wake-up one process sends reaches
// the others but not itself. Two connections stand for two processes.
import { afterAll, describe, expect, test } from 'bun:test'
import { IN_FLIGHT, TAKEOVER_SETTLE_MS } from '../src/queue/outbox.ts'
import type { Queue, WakeTopic } from '../src/queue/queue.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const T0 = Date.UTC(2026, 11, 2, 4, 0, 0)
const worker = (id: string) => ({ id, host: 'h', pid: 1, pidStart: null, tags: ['data'] })
const message = { kind: 'message', channel: 'C1', text: 'hello' }

for (const backend of backends)
  describe(backend.name, () => {
    const open = async (): Promise<[Queue, Queue]> => {
      const a = await backend.open()
      return [a, await backend.another(a)]
    }

    test('one message, two senders at once: one takes it; the other only once the first is dead', async () => {
      const [a, b] = await open()
      try {
        await a.registerWorker(T0, worker('A'))
        await a.registerWorker(T0, worker('B'))
        const [row] = await a.enqueueOutgoing(T0, 'slack', [message])
        const took = await Promise.all([
          a.takeOutgoing(T0, row!.id, 'A', true),
          b.takeOutgoing(T0, row!.id, 'B', true),
        ])
        expect(took.filter(Boolean)).toHaveLength(1)
        const holder = took[0] ? 'A' : 'B'
        const other = holder === 'A' ? 'B' : 'A'
        const otherQ = holder === 'A' ? b : a
        // The holder is alive: the other leaves it, again and again.
        expect(await otherQ.takeOutgoing(T0 + 1, row!.id, other, true)).toBe(false)
        // The holder is found dead: once what it was doing has settled, the message is the
        // other's, marked as possibly sent already.
        expect(await otherQ.retireWorker(T0 + 30_000, holder, T0)).toBe(true)
        expect(await otherQ.takeOutgoing(T0 + 30_001, row!.id, other, true)).toBe(false)
        expect(
          await otherQ.takeOutgoing(T0 + 30_000 + TAKEOVER_SETTLE_MS, row!.id, other, true),
        ).toBe(true)
        expect(await otherQ.getOutgoing(row!.id)).toMatchObject({
          sender: other,
          lastError: IN_FLIGHT,
          state: 'pending',
        })
        // Sent: nobody takes it again.
        await otherQ.markSent(T0 + 40_002, row!.id, { ts: '1.1' })
        expect(await otherQ.takeOutgoing(T0 + 40_003, row!.id, other, true)).toBe(false)
      } finally {
        a.close()
        b.close()
      }
    })

    test('a retry frees the message and waits for its time; an edit is taken without the in-flight mark', async () => {
      const [a, b] = await open()
      try {
        await a.registerWorker(T0, worker('A'))
        await a.registerWorker(T0, worker('B'))
        const [m] = await a.enqueueOutgoing(T0, 'slack', [message])
        expect(await a.takeOutgoing(T0, m!.id, 'A', true)).toBe(true)
        await a.markRetry(m!.id, T0 + 5000, 'rate limited')
        expect(await b.takeOutgoing(T0 + 4999, m!.id, 'B', true)).toBe(false) // not due yet
        expect(await b.takeOutgoing(T0 + 5000, m!.id, 'B', true)).toBe(true)
        const [edit] = await a.enqueueOutgoing(T0, 'slack', [
          { kind: 'update', channel: 'C1', editOf: m!.id, text: 'x' },
        ])
        expect(await a.takeOutgoing(T0, edit!.id, 'A', false)).toBe(true)
        expect((await a.getOutgoing(edit!.id))?.lastError).toBeNull()
      } finally {
        a.close()
        b.close()
      }
    })

    test('a dead peer is recorded by one survivor; a peer that beat since is not; the dead one comes back on its heartbeat', async () => {
      const [a, b] = await open()
      try {
        await a.registerWorker(T0, worker('A'))
        await a.registerWorker(T0, worker('B'))
        await a.registerWorker(T0, worker('C'))
        const won = await Promise.all([
          a.retireWorker(T0 + 30_000, 'C', T0),
          b.retireWorker(T0 + 30_000, 'C', T0),
        ])
        expect(won.filter(Boolean)).toHaveLength(1)
        expect((await a.liveWorkers()).map((w) => w.id)).toEqual(['A', 'B'])
        expect((await a.liveWorkers())[0]?.tags).toEqual(['data'])
        // B renewed its lease after A read it: A's stale view retires nobody.
        expect(await b.heartbeat(T0 + 10, 'B')).toBe(false)
        expect(await a.retireWorker(T0 + 30_000, 'B', T0)).toBe(false)
        // C was only paused: its next heartbeat says it was taken for dead, and lists it again.
        expect(await b.heartbeat(T0 + 31_000, 'C')).toBe(true)
        expect(await b.heartbeat(T0 + 32_000, 'C')).toBe(false)
        expect((await a.liveWorkers()).map((w) => w.id)).toEqual(['A', 'B', 'C'])
      } finally {
        a.close()
        b.close()
      }
    })

    test('a claim passes over the job types this instance leaves to others (runs_on), in due order', async () => {
      const [a, b] = await open()
      try {
        const req = (jobType: string, delaySeconds: number) => ({
          namespace: jobType.split('_')[0]!,
          job: jobType.split('_')[1]!,
          jobType,
          door: 'slack',
          requestedBy: 'U1',
          channel: 'C1',
          threadTs: '1.0',
          requestText: jobType,
          params: {},
          command: 'true',
          delaySeconds,
        })
        const deploy = (await a.scheduleRequest(T0, req('op_deploy', 0))).run
        const hello = (await a.scheduleRequest(T0, req('demo_hello', 1))).run
        // The untagged instance skips the deploy, due first, and takes the hello.
        expect((await b.claimNext(T0 + 2000, 'B', 8, ['op_deploy']))?.id).toBe(hello.id)
        expect(await b.claimNext(T0 + 2000, 'B', 8, ['op_deploy'])).toBeUndefined()
        expect((await a.claimNext(T0 + 2000, 'A', 8, []))?.id).toBe(deploy.id)
      } finally {
        a.close()
        b.close()
      }
    })

    if (backend.name === 'postgres')
      test("a wake-up one process sends reaches the other, not itself; another schema's does not", async () => {
        const [a, b] = await open()
        const stranger = await backend.open()
        try {
          const heardA: WakeTopic[] = []
          const heardB: WakeTopic[] = []
          await a.wakeups!.listen((t) => heardA.push(t))
          await b.wakeups!.listen((t) => heardB.push(t))
          stranger.wakeups!.send('dispatch')
          a.wakeups!.send('dispatch')
          a.wakeups!.send('outbox')
          await waitUntil('both wake-ups at the other process', () => heardB.length >= 2)
          // The stranger's went out first; by now it would have arrived.
          await b.ping()
          expect(heardB.sort()).toEqual(['dispatch', 'outbox'])
          expect(heardA).toEqual([])
        } finally {
          a.close()
          b.close()
          stranger.close()
        }
      })
  })
