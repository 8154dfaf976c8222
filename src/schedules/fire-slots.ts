// One pass over the config's schedules: each slot that has come due is decided once, by the bot
// whose insert of the slot row lands, and fired in that same transaction as a request from the
// "schedule" identity through the path every trigger takes (one pending per type, suppressions,
// confirm). A missed slot is recorded and said in the schedule's channel; a paused one recorded.
import type { AppContext } from '../app/context.ts'
import { requestFromTrigger } from '../app/fire-trigger.ts'
import { replyDoor } from '../app/context.ts'
import { checkParams } from '../commands/param-check.ts'
import { zoneTime } from '../commands/schedule-text.ts'
import { type Schedule, schedulesOf } from '../config/types.ts'
import type { QueueOps } from '../queue/queue.ts'
import { formatDuration } from '../util/duration.ts'
import { type DueSlot, dueSlot, ON_TIME_MS } from './due-slot.ts'

/** The door scheduled requests are stored under; its answers go through the chat door. */
export const SCHEDULE_DOOR = 'schedule'

export interface Decided extends DueSlot {
  schedule: string
  runId?: number
}

async function due(q: QueueOps, s: Schedule, now: number): Promise<DueSlot | null> {
  const state = await q.seeSchedule(now, s.id)
  const last = await q.lastSlotBefore(s.id, now)
  return dueSlot(s, {
    now,
    since: state.since,
    lastDecided: last?.slotAt,
    paused: state.pausedAt !== null,
  })
}

/** Decides (and fires) every slot due now; returns what this bot decided. */
export async function fireDueSlots(ctx: AppContext): Promise<Decided[]> {
  const out: Decided[] = []
  for (const s of schedulesOf(ctx.config)) {
    // A look first, outside any transaction: most passes find nothing due and take no lock.
    if (!(await due(ctx.queue, s, ctx.now()))) continue
    const d = await ctx.queue.atomically((q) => decide({ ...ctx, queue: q }, s))
    if (d) out.push(d)
  }
  if (out.some((d) => d.runId !== undefined)) ctx.wake.dispatch.notify()
  if (out.length) ctx.wake.outbox.notify()
  return out
}

async function decide(ctx: AppContext, s: Schedule): Promise<Decided | null> {
  const q = ctx.queue
  const now = ctx.now()
  const slot = await due(q, s, now)
  if (!slot) return null
  const command = ctx.config.namespaces[s.namespace]?.commands.find((c) => c.schedule?.id === s.id)
  const params = command ? checkParams(s.params, command.params) : undefined
  const outcome = slot.outcome === 'fired' && !params?.ok ? 'missed' : slot.outcome
  if (!(await q.takeSlot(now, { schedule: s.id, slotAt: slot.slotAt, outcome, by: ctx.workerId })))
    return null // another bot decided it first
  const when = zoneTime(slot.slotAt, s.tz)
  const log = { schedule: s.id, slot: new Date(slot.slotAt).toISOString(), outcome }
  if (outcome === 'paused') {
    ctx.log.info('schedule.paused_slot', log)
    return { schedule: s.id, ...slot }
  }
  if (outcome === 'missed' || !params?.ok) {
    const why = params?.ok
      ? `no bot was running then, and it is now ${formatDuration(now - slot.slotAt)} late`
      : `its params do not fit the command: ${params ? params.reason.replace(/\.$/, '') : 'the command is gone'}`
    ctx.log.warn('schedule.missed', { ...log, why })
    await q.enqueueOutgoing(now, replyDoor(ctx, { door: SCHEDULE_DOOR }), [
      {
        kind: 'message',
        purpose: 'notice',
        channel: s.channel,
        threadTs: null,
        text: `:warning: The ${when} run of schedule \`${s.namespace} ${s.name}\` (\`${s.text}\`) did not happen: ${why}.`,
      },
    ])
    return { schedule: s.id, slotAt: slot.slotAt, outcome: 'missed' }
  }
  const lateMs = now - slot.slotAt
  const late = lateMs > ON_TIME_MS ? `, ${formatDuration(lateMs)} late: no bot was running` : ''
  const res = await requestFromTrigger(
    ctx,
    {
      door: SCHEDULE_DOOR,
      requestedBy: `schedule:${s.id}`,
      requestText: `${s.text} (schedule ${s.namespace} ${s.name}, ${when}${late})`,
    },
    {
      namespace: s.namespace,
      job: s.job,
      channel: s.channel,
      params: params.params,
      delaySeconds: 0,
    },
  )
  await q.setSlotRun(s.id, slot.slotAt, res.run.id)
  ctx.log.info('schedule.fired', { ...log, run: res.run.id, late_ms: lateMs })
  return { schedule: s.id, ...slot, runId: res.run.id }
}
