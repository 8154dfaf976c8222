// The dispatchers' and the deliverers' wake-ups over one queue. Stored work wakes this process's
// workers and, on PostgreSQL, every other instance's; a wake-up about work stored in a unit of
// work goes out once that unit has ended, so whoever wakes can see the work; a unit rolled back
// wakes the dispatchers too, since a claim may have passed over a row it held.
import { Signal } from '../util/signal.ts'
import type { Queue, WakeTopic } from './queue.ts'

export type WakeSignals = Record<WakeTopic, Signal>

export function wakeSignals(queue: Queue): WakeSignals {
  const share = queue.wakeups
  const gate = queue.settled && (() => queue.settled?.())
  const signals = {
    dispatch: new Signal(share && (() => share.send('dispatch')), gate),
    outbox: new Signal(share && (() => share.send('outbox')), gate),
  }
  // A rolled-back unit may have held a pending row that a claim passed over meanwhile.
  queue.onRollback?.(() => signals.dispatch.notify())
  return signals
}
