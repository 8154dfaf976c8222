// A wake-up reaches the dispatcher (or the outbox) only after the notifier's own continuation:
// storing a Slack event notifies the dispatcher, and the event's ack must go out before a
// dispatcher pass claims and spawns the job (the ack waited behind the spawn before).
import { expect, test } from 'bun:test'
import { Signal } from '../src/util/signal.ts'

test('a notified waiter runs after what the notifier does next, even across several awaits', async () => {
  const signal = new Signal()
  const order: string[] = []
  const woken = signal.wait(10_000).then(() => order.push('dispatcher pass'))
  const notifier = (async () => {
    signal.notify()
    // The handler returns through a few layers before the ack is written.
    for (let i = 0; i < 50; i++) await Promise.resolve()
    order.push('ack sent')
  })()
  await Promise.all([woken, notifier])
  expect(order).toEqual(['ack sent', 'dispatcher pass'])
})

test('a notify with nobody waiting is kept for the next wait, and many notifies wake once', async () => {
  const signal = new Signal()
  signal.notify()
  let kept = false
  await signal.wait(60_000).then(() => (kept = true))
  expect(kept).toBe(true)
  let wakes = 0
  const waiting = signal.wait(10_000).then(() => wakes++)
  signal.notify()
  signal.notify()
  await waiting
  expect(wakes).toBe(1)
})
