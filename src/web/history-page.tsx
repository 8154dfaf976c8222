/** @jsxImportSource hono/jsx */
// Run history: filters in the query string (a plain GET form, so it works without script and
// a filtered list can be bookmarked) and keyset pages ("older" carries the last id shown).
import type { AppContext } from '../app/context.ts'
import { RUN_STATES, type RunState } from '../queue/schema.ts'
import type { RunFilter } from '../queue/find-runs.ts'
import { Layout, type Shell } from './layout.tsx'
import { RunTable } from './parts.tsx'
import { hiddenFor, listed, type Viewer } from './viewer.ts'

const PAGE = 50
const DAY = 86_400_000

export interface HistoryQuery {
  ns?: string
  job?: string
  state?: string
  who?: string
  from?: string
  to?: string
  before?: string
}

const dayStart = (d: string | undefined) =>
  d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? Date.parse(`${d}T00:00:00Z`) : undefined

/** The query as a queue filter; unknown values are dropped, never passed on. */
function filterOf(q: HistoryQuery): { filter: RunFilter; before?: number } {
  const from = dayStart(q.from)
  const to = dayStart(q.to)
  const before = q.before && /^\d{1,15}$/.test(q.before) ? Number(q.before) : undefined
  return {
    filter: {
      namespace: q.ns || undefined,
      jobType: q.job || undefined,
      states: RUN_STATES.includes(q.state as RunState) ? [q.state as RunState] : undefined,
      requestedBy: q.who?.trim() || undefined,
      from: Number.isFinite(from) ? from : undefined,
      // "to" names a day: runs asked on that day are in
      to: to !== undefined && Number.isFinite(to) ? to + DAY : undefined,
    },
    before,
  }
}

export async function historyPage(
  ctx: AppContext,
  v: Viewer,
  q: HistoryQuery,
  shell: Omit<Shell, 'title'>,
) {
  const { filter, before } = filterOf(q)
  const page = await ctx.queue.findRuns(
    { ...filter, ...hiddenFor(ctx.config, v), reader: v.session.user },
    PAGE,
    before,
  )
  const rows = page.rows.filter((r) => listed(ctx.config, v, r))
  const older = page.next
    ? `/web/history?${new URLSearchParams({ ...clean(q), before: String(page.next) })}`
    : undefined
  const types = Object.values(ctx.config.namespaces).flatMap((n) =>
    Object.values(n.jobs).map((j) => j.type),
  )
  return (
    <Layout title="History" {...shell}>
      <form method="get" action="/web/history" class="filters">
        <Pick
          name="ns"
          label="Namespace"
          value={q.ns}
          options={Object.keys(ctx.config.namespaces)}
        />
        <Pick name="job" label="Job" value={q.job} options={types} />
        <Pick name="state" label="State" value={q.state} options={[...RUN_STATES]} />
        <label>
          Asked by
          <input name="who" value={q.who ?? ''} placeholder="U0123ABCD" />
        </label>
        <label>
          From
          <input type="date" name="from" value={q.from ?? ''} />
        </label>
        <label>
          To
          <input type="date" name="to" value={q.to ?? ''} />
        </label>
        <button type="submit">Show</button>
      </form>
      <RunTable runs={rows} now={ctx.now()} empty="No runs match." />
      <p>
        {before ? <a href={`/web/history?${new URLSearchParams(clean(q))}`}>Newest</a> : null}{' '}
        {older ? (
          <a href={older} rel="next">
            Older
          </a>
        ) : null}
      </p>
    </Layout>
  )
}

/** The filters set, without the page cursor. */
function clean(q: HistoryQuery): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of ['ns', 'job', 'state', 'who', 'from', 'to'] as const) if (q[k]) out[k] = q[k]!
  return out
}

const Pick = (p: { name: string; label: string; value?: string; options: string[] }) => (
  <label>
    {p.label}
    <select name={p.name}>
      <option value="">any</option>
      {p.options.map((o) => (
        <option value={o} selected={o === p.value}>
          {o}
        </option>
      ))}
    </select>
  </label>
)
