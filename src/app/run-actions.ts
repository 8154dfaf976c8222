// Carrying out the run verbs: status, logs, cancel, rerun, quiet/loud, history.
import { existsSync } from 'node:fs'
import { mayRead, mayRun } from '../commands/access.ts'
import { ownValue } from '../util/own.ts'
import type { Decision } from '../commands/route.ts'
import { historyText, runStatusText } from '../commands/run-text.ts'
import type { LogsSpec } from '../commands/run-verbs.ts'
import { findJob, jobType } from '../config/types.ts'
import { readTail } from '../util/read-tail.ts'
import { jobSecrets } from '../config/job-secrets.ts'
import { lastLines } from './reports.ts'
import { redact } from '../util/redact.ts'
import type { Run, RunState } from '../queue/schema.ts'
import type { AppContext } from './context.ts'
import type { Controls } from './door.ts'
import { requestFor } from './request.ts'
import { askForApproval } from './approvals.ts'
import { askerOf } from './asker.ts'
import type { MessageIn } from './door.ts'
import { escapeSlackText } from '../util/slack-text.ts'
import { tellReplaced } from './replaced-notice.ts'

export interface Said {
  text: string
  file?: { filename: string; content: string }
  controls?: Controls
}
export interface ActionResult {
  said: Said[]
  accepted?: boolean
  runId?: number
}

type RunDecision = Extract<
  Decision,
  { kind: 'run_status' | 'cancel_run' | 'rerun' | 'quiet' | 'history' }
>
type LogsDecision = Extract<Decision, { kind: 'logs' }>

const HISTORY_PAGE = 10

/** The run a verb is about, or the reply that says why the asker gets nothing. */
async function runFor(
  ctx: AppContext,
  msg: MessageIn,
  id: number,
  kind: string,
): Promise<Run | ActionResult> {
  const run = await ctx.queue.getRun(id)
  if (!run)
    return { said: [{ text: `There is no run ${id}. Say \`history\` to see recent runs.` }] }
  const ns = ownValue(ctx.config.namespaces, run.namespace)
  if (!ns) return run
  const asker = askerOf(msg)
  const job = findJob(ctx.config, run.jobType)
  // Its status and logs show the command, params and request text: readers follow the rules
  // for running it (its requester always may); the other verbs act, so they need those rules.
  const reading = kind === 'run_status' || kind === 'logs'
  const verdict = reading ? mayRead(ns, job, run.requestedBy, asker) : mayRun(ns, job, asker)
  if (!verdict.ok) return { said: [{ text: `Sorry, ${verdict.reason}.` }] }
  return run
}

/** `logs`: reads files, so it runs before the transaction that stores the reply. */
export async function logsAction(
  ctx: AppContext,
  msg: MessageIn,
  d: LogsDecision,
): Promise<ActionResult> {
  const run = await runFor(ctx, msg, d.id, d.kind)
  return 'said' in run ? run : { said: [await logs(ctx, run, d.spec)] }
}

/** The other run verbs: only the database, so they run inside the caller's unit of work. */
export async function runAction(
  ctx: AppContext,
  msg: MessageIn,
  d: RunDecision,
): Promise<ActionResult> {
  if (d.kind === 'history') return { said: [await history(ctx, msg, d)] }
  const run = await runFor(ctx, msg, d.id, d.kind)
  if ('said' in run) return run
  switch (d.kind) {
    case 'run_status':
      return { said: [{ text: runStatusText(run, ctx.now()) }] }
    case 'cancel_run': {
      const res = await ctx.queue.removeJob(ctx.now(), run.id, msg.user)
      if (res.kind === 'unknown')
        return {
          said: [
            {
              text: `Run ${run.id} (\`${run.jobType}\`) is not running or scheduled; it ${ENDED[run.state] ?? run.state.replace('_', ' ')}.`,
            },
          ],
        }
      ctx.wake.dispatch.notify()
      return {
        accepted: true,
        runId: run.id,
        said: [
          {
            text:
              res.kind === 'removed'
                ? `Cancelled run ${run.id} (\`${run.jobType}\`) before it started.`
                : `Stopping run ${run.id} (\`${run.jobType}\`); it will be recorded as cancelled.`,
          },
        ],
      }
    }
    case 'rerun':
      return rerun(ctx, msg, run)
    case 'quiet':
      await ctx.queue.setQuiet(run.id, d.quiet)
      return {
        accepted: true,
        runId: run.id,
        said: [
          {
            text: d.quiet
              ? `No more progress updates for run ${run.id}; its result will still be posted.`
              : `Progress updates for run ${run.id} are back on.`,
          },
        ],
      }
  }
}

async function rerun(ctx: AppContext, msg: MessageIn, run: Run): Promise<ActionResult> {
  const job = findJob(ctx.config, run.jobType)
  if (!job)
    return {
      said: [
        {
          text: `\`${run.jobType}\` is no longer in the configuration, so run ${run.id} cannot be rerun.`,
        },
      ],
    }
  const req = requestFor(msg, job, run.params, `rerun ${run.id}: ${run.requestText}`)
  // A rerun of a job that needs confirmation needs it again.
  if (job.confirm) return askForApproval(ctx, job, req)
  const res = await ctx.queue.scheduleRequest(ctx.now(), req)
  await tellReplaced(ctx, res.previous, res.run)
  ctx.wake.dispatch.notify()
  const behind = res.behind
    ? ` It will start after run ${res.behind.id}, which is still going.`
    : ''
  return {
    accepted: true,
    runId: res.run.id,
    said: [{ text: `Rerunning run ${run.id} as run ${res.run.id} (\`${job.type}\`).${behind}` }],
  }
}

/** The run's own log files only: the path comes from the run row, never from the user. */
async function logs(ctx: AppContext, run: Run, spec: LogsSpec): Promise<Said> {
  const path = spec.stream === 'stdout' ? run.stdoutPath : run.stderrPath
  if (!path)
    return {
      text: `Run ${run.id} (\`${run.jobType}\`) has no logs: it ${run.state === 'pending' ? 'has not started yet' : 'never started'}.`,
    }
  const keep = ctx.config.settings.keep_logs
  if (!existsSync(path) && run.finishedAt && ctx.now() - run.finishedAt > keep * 1000)
    return {
      text: `Run ${run.id} (\`${run.jobType}\`) has no logs any more: run logs are kept for ${keep >= 86_400 ? `${Math.round(keep / 86_400)} days` : `${Math.round(keep / 3600)} hours`} (settings.keep_logs).`,
    }
  const job = findJob(ctx.config, run.jobType)
  const secrets = [...ctx.reports.secrets, ...(job ? jobSecrets(job, ctx.env.vars) : [])]
  if (spec.lines === 'all') {
    const content = redact(await readTail(path, 5 * 1024 * 1024), secrets)
    if (!content)
      return { text: `Run ${run.id} (\`${run.jobType}\`) printed nothing on ${spec.stream}.` }
    return {
      text: `The ${spec.stream} of run ${run.id} (\`${run.jobType}\`, ${run.state}):`,
      file: { filename: `${run.jobType}-${run.id}-${spec.stream}.txt`, content },
    }
  }
  const text = redact(await readTail(path, 512 * 1024), secrets)
  const tail = escapeSlackText(lastLines(text, spec.lines, 3500))
  if (!tail)
    return { text: `Run ${run.id} (\`${run.jobType}\`) printed nothing on ${spec.stream}.` }
  return {
    text: `Last lines of ${spec.stream} of run ${run.id} (\`${run.jobType}\`, ${run.state}):\n\`\`\`\n${tail}\n\`\`\``,
  }
}

async function history(
  ctx: AppContext,
  msg: MessageIn,
  d: Extract<Decision, { kind: 'history' }>,
): Promise<Said> {
  const nsName =
    d.namespace && Object.keys(ctx.config.namespaces).find((n) => n.toLowerCase() === d.namespace)
  if (d.namespace && !nsName)
    return {
      text: `There is no namespace called \`${escapeSlackText(d.namespace)}\`. Usage: \`history [namespace] [job] [failed|succeeded|cancelled|timed-out|lost] [page N]\``,
    }
  const ns = nsName ? ctx.config.namespaces[nsName] : undefined
  const jobName =
    d.job && ns ? Object.keys(ns.jobs).find((j) => j.toLowerCase() === d.job) : undefined
  if (d.job && !jobName)
    return {
      text: `There is no job \`${escapeSlackText(d.job)}\` in \`${nsName}\` (jobs: ${Object.keys(ns!.jobs).join(', ')}).`,
    }
  const type = nsName && jobName ? jobType(nsName, jobName) : undefined
  // Runs show their commands and who asked: only those of jobs the asker may run are listed.
  const asker = askerOf(msg)
  const spaces = Object.values(ctx.config.namespaces)
  const hidden = spaces.filter((n) => !mayRun(n, undefined, asker).ok).map((n) => n.name)
  const hiddenTypes = spaces
    .filter((n) => !hidden.includes(n.name))
    .flatMap((n) => Object.values(n.jobs).filter((j) => !mayRun(n, j, asker).ok))
    .map((j) => j.type)
  const found = await ctx.queue.listHistory(
    {
      namespace: type ? undefined : nsName,
      jobType: type,
      state: d.outcome as RunState | undefined,
      hidden,
      hiddenTypes,
    },
    HISTORY_PAGE,
    (d.page - 1) * HISTORY_PAGE,
  )
  const what = type ? ` of \`${type}\`` : nsName ? ` in \`${nsName}\`` : ''
  const label = `${what}${d.outcome ? ` that ${d.outcome.replace('_', ' ')}` : ''}`
  const next = [
    'history',
    nsName,
    jobName,
    d.outcome?.replace('_', '-'),
    'page',
    String(d.page + 1),
  ]
    .filter(Boolean)
    .join(' ')
  return {
    text: historyText(found.rows, d.page, HISTORY_PAGE, found, label, next),
  }
}

/** How a run that is over ended, as the end of "it …": "it was cancelled", not "it cancelled". */
const ENDED: Record<string, string> = {
  cancelled: 'was cancelled',
  lost: 'was lost when the bot restarted',
  timed_out: 'timed out',
}
