// What a new request's acknowledgement says beyond the reaction: that it waits behind a running
// run of its type, that it replaced the pending request (with which params), that a suppression
// holds it (until when). Nothing when it simply starts.
import type { Said } from './run-actions.ts'
import type { ScheduleResult } from '../queue/schedule.ts'
import type { AppContext } from './context.ts'

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16)

export async function scheduleNotes(ctx: AppContext, res: ScheduleResult): Promise<Said[]> {
  const { run } = res
  const said: Said[] = []
  if (res.behind)
    said.push({
      text: `A \`${run.jobType}\` job is running (run ${res.behind.id}); this request (run ${run.id}) will start after it. Say \`status\` to see the queue.`,
    })
  if (res.replaced) {
    const params = Object.entries(run.params as Record<string, string>)
    const now = params.length
      ? `, now with ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`
      : ''
    said.push({
      text: `This replaces the pending \`${run.jobType}\` request (run ${run.id}${now}); it keeps that request's place in the queue.`,
    })
  }
  // A suppression open when the run falls due holds it until the last such window ends.
  const holding = (await ctx.queue.openSuppressions(ctx.now(), run.jobType)).filter(
    (s) => s.startAt <= run.dueAt && run.dueAt < s.endAt,
  )
  if (holding.length) {
    const until = Math.max(...holding.map((s) => s.endAt))
    said.push({
      text: `Run ${run.id} (\`${run.jobType}\`) is held by a suppression until ${hhmm(until)} UTC; it starts then.`,
    })
  }
  return said
}
