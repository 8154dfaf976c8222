/** @jsxImportSource hono/jsx */
// The queue page's schedules: each configured schedule the viewer may see, its cron and zone,
// its next times, whether it is paused, and the run its last slot started.
import type { AppContext } from '../app/context.ts'
import { nextText } from '../commands/schedule-text.ts'
import { findJob, schedulesOf } from '../config/types.ts'
import { time } from './parts.tsx'
import { hiddenFor, type Viewer } from './viewer.ts'

export async function schedulesTable(ctx: AppContext, v: Viewer) {
  const now = ctx.now()
  const { hidden, hiddenTypes } = hiddenFor(ctx.config, v)
  const shown = schedulesOf(ctx.config).filter((s) => {
    const type = findJob(ctx.config, `${s.namespace}_${s.job}`)?.type
    return !hidden.includes(s.namespace) && !(type && hiddenTypes.includes(type))
  })
  if (!shown.length) return <p class="muted">No schedules.</p>
  const views = await Promise.all(shown.map((s) => ctx.queue.scheduleView(s.id, now)))
  return (
    <table>
      <thead>
        <tr>
          <th>Schedule</th>
          <th>Runs</th>
          <th>When</th>
          <th>Next</th>
          <th>Last run</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((s, i) => {
          const view = views[i]!
          const last = view.lastFired
          return (
            <tr>
              <td>
                {s.namespace} {s.name}
              </td>
              <td>
                <code>{s.text}</code>
              </td>
              <td>
                <code>{s.cron}</code> ({s.tz})
              </td>
              <td>
                {view.pausedAt ? (
                  <span class="state s-pending">
                    paused{view.pausedBy ? ` by ${view.pausedBy}` : ''}
                  </span>
                ) : (
                  nextText(s, now)
                )}
              </td>
              <td>
                {last?.runId ? (
                  <a href={`/web/runs/${last.runId}`}>
                    {last.runId} ({time(last.slotAt)})
                  </a>
                ) : (
                  <span class="muted">none yet</span>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
