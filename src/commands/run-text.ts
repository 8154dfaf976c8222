// Texts about runs: one run's status, and history lines.
import { formatDuration } from '../util/duration.ts'
import { formatUtc, who } from './times.ts'
import { escapeSlackText } from '../util/slack-text.ts'

export interface RunLike {
  id: number
  jobType: string
  state: string
  requestedBy: string
  requestText: string
  command: string
  queuedAt: number
  dueAt: number
  startedAt: number | null
  finishedAt: number | null
  exitCode: number | null
  detail: string | null
  cancelledBy: string | null
  approval?: string | null
  approvalBy?: string | null
  approvalAt?: number | null
}

/** "approved by <@U2> at …" for a decided confirmation; empty when none was needed or it is still open. */
function decision(run: RunLike): string {
  if (!run.approval || run.approval === 'required') return ''
  return `${run.approval}${run.approvalBy ? ` by ${who(run.approvalBy)}` : ''}${run.approvalAt ? ` at ${formatUtc(run.approvalAt)}` : ''}`
}

const STATE_WORDS: Record<string, string> = {
  awaiting_approval: 'waiting for approval',
  pending: 'scheduled',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  cancelled: 'cancelled',
  lost: 'lost',
}

export function runStatusText(run: RunLike, now: number): string {
  const lines = [`Run ${run.id}, \`${run.jobType}\`: *${STATE_WORDS[run.state] ?? run.state}*`]
  if (run.state === 'running' && run.startedAt)
    lines.push(
      `Running for ${formatDuration(now - run.startedAt)} (since ${formatUtc(run.startedAt)}).`,
    )
  if (run.state === 'pending') lines.push(`Due at ${formatUtc(run.dueAt)}.`)
  if (run.startedAt && run.finishedAt)
    lines.push(
      `Ran ${formatDuration(run.finishedAt - run.startedAt)}, finished ${formatUtc(run.finishedAt)}${run.exitCode !== null ? `, exit code ${run.exitCode}` : ''}.`,
    )
  if (run.detail) lines.push(`Note: ${run.detail}.`)
  if (run.cancelledBy) lines.push(`Cancelled by ${who(run.cancelledBy)}.`)
  const decided = decision(run)
  if (decided) lines.push(`${decided[0]!.toUpperCase()}${decided.slice(1)}.`)
  lines.push(
    `Asked by ${who(run.requestedBy)} at ${formatUtc(run.queuedAt)}: \`${escapeSlackText(run.requestText)}\``,
    `Command: \`${escapeSlackText(run.command)}\``,
  )
  return lines.join('\n')
}

/** One run in `history`: its outcome and how long it took; one not started yet says when it was asked. */
export function historyLine(run: RunLike): string {
  const when = run.startedAt ? formatUtc(run.startedAt) : `asked ${formatUtc(run.queuedAt)}`
  const took =
    run.startedAt && run.finishedAt
      ? `, took ${formatDuration(run.finishedAt - run.startedAt)}`
      : ''
  const decided = decision(run)
  return `• [${run.id}] \`${run.jobType}\` ${STATE_WORDS[run.state] ?? run.state}, by ${who(run.requestedBy)}, ${when}${took}${decided ? `; ${decided}` : ''}`
}

/** How many runs a history lists: `total` counted up to a cap, `capped` when more match. */
export interface HistoryCount {
  total: number
  capped: boolean
  /** older runs follow the page shown */
  more: boolean
}

/**
 * `label` says what was filtered (" of demo_hello that failed"); `next` is the command for the
 * next page. Past the count's cap the number of pages is not known, so it says "more than".
 */
export function historyText(
  runs: RunLike[],
  page: number,
  pageSize: number,
  count: HistoryCount,
  label: string,
  next: string,
): string {
  if (!runs.length)
    return page > 1 ? `No more runs${label} (page ${page}).` : `No runs${label} yet.`
  const where = count.capped
    ? `page ${page}, more than ${count.total.toLocaleString('en-US')} in all`
    : `page ${page} of ${Math.max(1, Math.ceil(count.total / pageSize))}, ${count.total} in all`
  const more = count.more ? `\nSay \`${next}\` for older runs.` : ''
  return `Runs${label}, newest first (${where}):\n${runs.map(historyLine).join('\n')}${more}`
}
