/** @jsxImportSource hono/jsx */
// The queue now: running, pending, waiting for approval, suppressions and schedules, as the
// viewer may see them (the rules the Slack `status` reply follows).
import type { AppContext } from '../app/context.ts'
import type { Suppression } from '../queue/schema.ts'
import { Layout, type Shell } from './layout.tsx'
import { RunTable, time } from './parts.tsx'
import { schedulesTable } from './schedules-table.tsx'
import { hiddenFor, listed, type Viewer } from './viewer.ts'

export async function queuePage(ctx: AppContext, v: Viewer, shell: Omit<Shell, 'title'>) {
  const now = ctx.now()
  const snap = await ctx.queue.snapshot(now)
  const see = <T extends { jobType: string; requestedBy: string }>(rows: T[]) =>
    rows.filter((r) => listed(ctx.config, v, r))
  const { hiddenTypes, hidden } = hiddenFor(ctx.config, v)
  const suppressions = snap.suppressions.filter(
    (s) => !hiddenTypes.includes(s.jobType) && !hidden.some((n) => s.jobType.startsWith(`${n}_`)),
  )
  return (
    <Layout title="Queue" {...shell}>
      <h2>Running</h2>
      <RunTable runs={see(snap.running)} now={now} empty="Nothing is running." />
      <h2>Pending</h2>
      <RunTable runs={see(snap.scheduled)} now={now} empty="Nothing is waiting to start." />
      <h2>Waiting for approval</h2>
      <RunTable runs={see(snap.awaiting)} now={now} empty="Nothing is waiting for approval." />
      <h2>Held by a suppression</h2>
      <Suppressions rows={suppressions} now={now} />
      <h2>Schedules</h2>
      {await schedulesTable(ctx, v)}
    </Layout>
  )
}

const Suppressions = (p: { rows: Suppression[]; now: number }) =>
  p.rows.length ? (
    <table>
      <thead>
        <tr>
          <th>Job</th>
          <th>From</th>
          <th>To</th>
          <th>Set by</th>
          <th>Now</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((s) => (
          <tr>
            <td>{s.jobType}</td>
            <td>{time(s.startAt)}</td>
            <td>{time(s.endAt)}</td>
            <td>{s.createdBy}</td>
            <td>{s.startAt <= p.now ? 'holding its job' : 'scheduled'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  ) : (
    <p class="muted">No job is held by a suppression.</p>
  )
