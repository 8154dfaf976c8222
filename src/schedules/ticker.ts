// The schedule ticker: sleeps until the next slot of any schedule (at most a minute, so a clock
// step or a slot retried after an error is noticed soon), then fires what is due. A config
// reload wakes it, since the next slot may have changed.
import type { AppContext, Worker } from '../app/context.ts'
import { schedulesOf } from '../config/types.ts'
import { nextTimes } from '../syntax/cron.ts'
import { errorText } from '../util/log.ts'
import { Signal } from '../util/signal.ts'
import { fireDueSlots } from './fire-slots.ts'

const MAX_SLEEP_MS = 60_000
/** After a failed pass (the database busy or unreachable): try again soon, the slot is still due. */
const RETRY_MS = 1000

export interface Ticker extends Worker {
  /** look again now: the config was reloaded */
  wake(): void
}

/** How long until the next slot of any schedule, within [0, MAX_SLEEP_MS]. */
function sleepMs(ctx: AppContext): number {
  const now = ctx.now()
  const next = schedulesOf(ctx.config).flatMap((s) => nextTimes(s, now, 1))
  // A few ms past the slot, so the pass that wakes finds it due.
  return Math.min(MAX_SLEEP_MS, Math.max(0, Math.min(...next) - now + 5))
}

export function startScheduleTicker(ctx: AppContext): Ticker {
  const wake = new Signal()
  let stopped = false
  let failing = false
  const loop = (async () => {
    while (!stopped) {
      let waitMs: number
      try {
        await fireDueSlots(ctx)
        if (failing) ctx.log.info('schedule.pass_recovered', {})
        failing = false
        waitMs = sleepMs(ctx)
      } catch (e) {
        // Logged once per outage, not every second.
        if (!failing) ctx.log.error('schedule.pass_failed', { error: errorText(e) })
        failing = true
        waitMs = RETRY_MS
      }
      if (!stopped) await wake.wait(waitMs)
    }
  })()
  ctx.health.set('schedules', () => ({
    ok: !failing,
    detail: { schedules: schedulesOf(ctx.config).length },
  }))
  return {
    name: 'schedules',
    wake: () => wake.notify(),
    async stop() {
      stopped = true
      wake.notify()
      await loop
    },
  }
}
