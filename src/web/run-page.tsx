/** @jsxImportSource hono/jsx */
// One run: who asked, from where, its params and exact command, its times and outcome, its logs
// (following a running job live), and the buttons Slack shows under it, offered only to those
// the rules let press them (the press is checked again when it arrives).
import { randomBytes } from 'node:crypto'
import type { AppContext } from '../app/context.ts'
import type { ControlAction } from '../app/door.ts'
import { mayApprove, mayRun } from '../commands/access.ts'
import { FINAL_STATES, type Run } from '../queue/schema.ts'
import { Layout, type Shell } from './layout.tsx'
import { readLogTail, secretsOf, type Stream } from './log-file.ts'
import { State, time, took } from './parts.tsx'
import { placeOf, type Viewer } from './viewer.ts'
import { redact } from '../util/redact.ts'

const TAIL_BYTES = 256 * 1024

/** The buttons this viewer may press on this run now. */
export function buttonsFor(ctx: AppContext, v: Viewer, run: Run, channelName?: string) {
  const { ns, job } = placeOf(ctx.config, run)
  if (!ns) return []
  const asker = v.asker(run.channel, channelName)
  const out: ControlAction[] = []
  if (run.state === 'awaiting_approval') {
    if (job && mayApprove(ns, job, run.requestedBy, asker, true).ok) out.push('approve')
    if (job && mayApprove(ns, job, run.requestedBy, asker, false).ok) out.push('deny')
    return out
  }
  if (!mayRun(ns, job, asker).ok) return out
  if (run.state === 'running' || run.state === 'pending') out.push('cancel')
  if (FINAL_STATES.includes(run.state) && job) out.push('rerun')
  return out
}

const LABEL: Record<ControlAction, string> = {
  approve: 'Approve',
  deny: 'Deny',
  cancel: 'Cancel',
  rerun: 'Rerun',
  logs: 'Logs',
}
const STYLE: Partial<Record<ControlAction, string>> = {
  approve: 'primary',
  deny: 'danger',
  cancel: 'danger',
}

export async function runPage(
  ctx: AppContext,
  run: Run,
  buttons: ControlAction[],
  shell: Omit<Shell, 'title'>,
) {
  const secrets = secretsOf(ctx, run)
  const live = !FINAL_STATES.includes(run.state)
  const logs = await Promise.all(
    (['stdout', 'stderr'] as Stream[]).map(async (s) => ({
      stream: s,
      ...(await readLogTail(s === 'stdout' ? run.stdoutPath : run.stderrPath, TAIL_BYTES, secrets)),
    })),
  )
  const mask = (t: string) => redact(t, secrets)
  const press = randomBytes(9).toString('base64url')
  return (
    <Layout
      title={`Run ${run.id} · ${run.jobType}`}
      {...shell}
      live={live && run.state === 'running'}
    >
      <p>
        <State state={run.state} />{' '}
        {buttons.map((b) => (
          <form method="post" action={`/web/runs/${run.id}/${b}`} class="inline">
            <input type="hidden" name="csrf" value={shell.csrf} />
            <input type="hidden" name="press" value={press} />
            <button type="submit" class={STYLE[b]}>
              {LABEL[b]}
            </button>
          </form>
        ))}
      </p>
      <dl>
        <dt>Asked by</dt>
        <dd>{run.requestedBy}</dd>
        <dt>From</dt>
        <dd>
          {run.door} · {run.isDm ? 'direct message' : run.channel}
          {run.threadTs ? ` · thread ${run.threadTs}` : ''}
        </dd>
        <dt>Request</dt>
        <dd>
          <code>{mask(run.requestText)}</code>
        </dd>
        <dt>Params</dt>
        <dd>
          {Object.keys(run.params).length ? (
            Object.entries(run.params).map(([k, val]) => (
              <div>
                <code>{k}</code> = <code>{mask(val)}</code>
              </div>
            ))
          ) : (
            <span class="muted">none</span>
          )}
        </dd>
        <dt>Command</dt>
        <dd>
          <code>{mask(run.command)}</code>
        </dd>
        <dt>Asked at</dt>
        <dd>{time(run.queuedAt)}</dd>
        <dt>Due</dt>
        <dd>{time(run.dueAt)}</dd>
        <dt>Started</dt>
        <dd>{time(run.startedAt) || <span class="muted">not yet</span>}</dd>
        <dt>Finished</dt>
        <dd>{time(run.finishedAt) || <span class="muted">not yet</span>}</dd>
        <dt>Took</dt>
        <dd>{took(run, ctx.now())}</dd>
        <dt>Exit code</dt>
        <dd>
          {run.exitCode ?? <span class="muted">none</span>}
          {run.signal ? ` (signal ${run.signal})` : ''}
        </dd>
        <dt>Approval</dt>
        <dd>
          {run.approval
            ? `${run.approval}${run.approvalBy ? ` by ${run.approvalBy}` : ''}${run.approvalAt ? ` at ${time(run.approvalAt)}` : ''}`
            : 'not needed'}
        </dd>
        <dt>Outcome</dt>
        <dd>
          {outcome(run)}
          {run.detail ? ` (${mask(run.detail)})` : ''}
        </dd>
      </dl>
      {logs.map((l) => (
        <section>
          <h2>
            {l.stream}{' '}
            {l.size ? (
              <a href={`/web/runs/${run.id}/log/${l.stream}`} download>
                download
              </a>
            ) : null}
          </h2>
          {l.cut ? <p class="muted">Only the end is shown; download the whole file.</p> : null}
          <pre
            id={`log-${l.stream}`}
            data-live={
              live && run.state === 'running'
                ? `/web/runs/${run.id}/live/${l.stream}?from=${l.size}`
                : undefined
            }
          >
            {l.text}
          </pre>
          {live ? (
            <noscript>
              <p class="muted">Reload the page to see more output.</p>
            </noscript>
          ) : null}
        </section>
      ))}
    </Layout>
  )
}

function outcome(run: Run): string {
  switch (run.state) {
    case 'cancelled':
      return `cancelled${run.cancelledBy ? ` by ${run.cancelledBy}` : ''}`
    case 'running':
      return `running${run.cancelRequestedBy ? `; ${run.cancelRequestedBy} asked it to stop` : ''}`
    default:
      return run.state.replace('_', ' ')
  }
}
