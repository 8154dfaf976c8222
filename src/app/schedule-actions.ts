// Carries out the schedule verbs against the queue: the listing with each schedule's state, and
// `skip next`, `pause`, `resume`, stored so every bot on the queue and every restart sees them.
import { type ScheduleDecision, visibleSchedules } from '../commands/schedule-verbs.ts'
import { askerOf } from './asker.ts'
import { scheduleEntry, scheduleStatusLine, zoneTime } from '../commands/schedule-text.ts'
import { who } from '../commands/times.ts'
import { nextTimes } from '../syntax/cron.ts'
import type { AppContext } from './context.ts'
import type { MessageIn } from './door.ts'
import type { ActionResult } from './run-actions.ts'

/** How many coming slots `skip next` looks through for one not skipped already. */
const SKIP_LOOKAHEAD = 20

export async function scheduleAction(
  ctx: AppContext,
  msg: MessageIn,
  d: ScheduleDecision,
): Promise<ActionResult> {
  const q = ctx.queue
  const now = ctx.now()
  const said = (text: string, accepted = false): ActionResult => ({ said: [{ text }], accepted })
  if (d.kind === 'schedules') {
    if (!d.schedules.length)
      return said(
        d.namespace ? `\`${d.namespace}\` has no schedules.` : 'No schedules are configured.',
      )
    const entries: string[] = []
    for (const s of d.schedules)
      entries.push(scheduleEntry(s, await q.scheduleView(s.id, now), now))
    return said(entries.join('\n'))
  }
  const s = d.schedule
  const label = `\`${s.namespace} ${s.name}\``
  switch (d.action) {
    case 'pause': {
      const paused = await q.pauseSchedule(now, s.id, msg.user)
      if (paused) ctx.log.info('schedule.paused', { schedule: s.id, by: msg.user })
      if (paused)
        return said(
          `Paused schedule ${label}: it will not run until \`resume ${s.namespace} ${s.name}\`.`,
          true,
        )
      const view = await q.scheduleView(s.id, now)
      return said(`Schedule ${label} was already paused (by ${who(view.pausedBy ?? 'someone')}).`)
    }
    case 'resume': {
      const resumed = await q.resumeSchedule(s.id)
      if (resumed) ctx.log.info('schedule.resumed', { schedule: s.id, by: msg.user })
      const next = nextTimes(s, now, 1)[0]
      return resumed
        ? said(
            `Resumed schedule ${label}; it runs next ${next ? zoneTime(next, s.tz) : 'never'}.`,
            true,
          )
        : said(`Schedule ${label} was not paused.`)
    }
    case 'skip': {
      for (const slotAt of nextTimes(s, now, SKIP_LOOKAHEAD)) {
        if (!(await q.takeSlot(now, { schedule: s.id, slotAt, outcome: 'skipped', by: msg.user })))
          continue // skipped already: the next one is meant
        ctx.log.info('schedule.skipped', {
          schedule: s.id,
          slot: new Date(slotAt).toISOString(),
          by: msg.user,
        })
        const after = nextTimes(s, slotAt, 1)[0]
        return said(
          `Skipping the ${zoneTime(slotAt, s.tz)} run of ${label}.${after ? ` The one after is ${zoneTime(after, s.tz)}.` : ''}`,
          true,
        )
      }
      return said(`The next ${SKIP_LOOKAHEAD} runs of ${label} are all skipped already.`)
    }
  }
}

/** What `status` adds about schedules: a line each (none when there are none to see). */
export async function scheduleStatus(ctx: AppContext, msg: MessageIn): Promise<string> {
  const now = ctx.now()
  const lines: string[] = []
  for (const s of visibleSchedules(ctx.config, askerOf(msg)))
    lines.push(scheduleStatusLine(s, await ctx.queue.scheduleView(s.id, now), now))
  return lines.length
    ? `\n:calendar: Schedules (\`schedules\` for more):\n${lines.map((l) => `• ${l}`).join('\n')}`
    : ''
}
