// The per-envelope acknowledgement: sent once whatever calls it, slow work reported, and a send
// that fails (socket gone) reported instead of thrown.
import { expect, test } from 'bun:test'
import { envelopeAck } from '../src/slack/ack.ts'

test('an envelope is acknowledged exactly once, however often ack is called', async () => {
  let sends = 0
  const ack = envelopeAck({ send: async () => void sends++ })
  expect(ack.sent).toBe(false)
  expect(await Promise.all([ack.ack(), ack.ack()])).toEqual([true, false])
  expect(await ack.ack()).toBe(false)
  expect([sends, ack.sent]).toEqual([1, true])
})

test('work that outlasts the warning time is reported once; a prompt ack is not', async () => {
  const late: number[] = []
  const slow = envelopeAck({ send: async () => {}, warnAfterMs: 30, onLate: (ms) => late.push(ms) })
  const quick = envelopeAck({ send: async () => {}, warnAfterMs: 30, onLate: () => late.push(-1) })
  await quick.ack()
  await Bun.sleep(60)
  await slow.ack()
  expect(late).toHaveLength(1)
  expect(late[0]).toBeGreaterThanOrEqual(25)
})

test('an ack that cannot be sent is reported, not thrown: Slack redelivers and the seen table answers', async () => {
  const errors: unknown[] = []
  const ack = envelopeAck({
    send: async () => Promise.reject(new Error('socket closed')),
    onSendError: (e) => errors.push(e),
  })
  expect(await ack.ack()).toBe(true)
  expect(errors.map((e) => (e as Error).message)).toEqual(['socket closed'])
})
