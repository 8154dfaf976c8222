/** @jsxImportSource hono/jsx */
// Small pieces the pages share: times, states, and the table of runs.
import type { Run } from '../queue/schema.ts'
import { formatDuration } from '../util/duration.ts'

export const time = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : ''

export const took = (r: Pick<Run, 'startedAt' | 'finishedAt'>, now: number) =>
  r.startedAt ? formatDuration((r.finishedAt ?? now) - r.startedAt) : ''

export const State = (p: { state: string }) => (
  <span class={`state s-${p.state}`}>{p.state.replace('_', ' ')}</span>
)

export const RunTable = (p: { runs: Run[]; now: number; empty: string }) =>
  p.runs.length ? (
    <table>
      <thead>
        <tr>
          <th>Run</th>
          <th>Job</th>
          <th>State</th>
          <th>Asked by</th>
          <th>Asked at</th>
          <th>Took</th>
        </tr>
      </thead>
      <tbody>
        {p.runs.map((r) => (
          <tr>
            <td>
              <a href={`/web/runs/${r.id}`}>{r.id}</a>
            </td>
            <td>{r.jobType}</td>
            <td>
              <State state={r.state} />
            </td>
            <td>{r.requestedBy}</td>
            <td>{time(r.queuedAt)}</td>
            <td>{took(r, p.now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  ) : (
    <p class="muted">{p.empty}</p>
  )
