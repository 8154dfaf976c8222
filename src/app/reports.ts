// Report texts: the start notice, the result in the request's thread, and the
// escalation of failures. Pure: output text in, messages out; redaction happens here so no
// path around it exists.
import type { KnownBlock } from '@slack/types'
import { formatDuration } from '../util/duration.ts'
import { who } from '../commands/times.ts'
import { OUTPUT_LIMIT } from './output-limit.ts'
import { formatBytes } from '../util/bytes.ts'
import type { Job } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { reportControls } from './controls.ts'
import { MESSAGE_LIMIT, type MessageOut } from './door.ts'
import { redact, redactDeep } from '../util/redact.ts'
import { escapeSlackText, withoutBroadcasts } from '../util/slack-text.ts'
import { mapStrings } from '../util/map-strings.ts'

export interface ReportContext {
  logsChannel: string
  techSupportChannel: string
  secrets: readonly string[]
}

/**
 * The run's reply spot; for a `report_to: channel` job asked for top-level (its reply thread is
 * the one under the request itself), the channel, where the Python ebmbot posted reports.
 */
const replySpot = (run: Run, job?: Job) => ({
  channel: run.channel,
  threadTs:
    job?.reportTo === 'channel' && run.messageTs && run.threadTs === run.messageTs
      ? null
      : run.threadTs,
})

export function startNotice(run: Run, ctx: ReportContext): MessageOut {
  return {
    kind: 'message',
    purpose: 'notice',
    channel: ctx.logsChannel,
    threadTs: null,
    text: `Starting \`${run.jobType}\` (run ${run.id}), requested by ${who(run.requestedBy)}.`,
  }
}

export interface RunOutput {
  stdout: string
  stderr: string
  /** Set when the logs filesystem was (nearly) full as a failed run ended. */
  logsFull?: { freeBytes: number; dir: string } | null
}

/** Causes the machine, not the job, may be behind: a full logs disk, a file-size limit. */
export function failureHints(signal: string | null, out: RunOutput): string[] {
  const hints: string[] = []
  if (out.logsFull) {
    hints.push(
      `:floppy_disk: The disk holding the logs is full (${formatBytes(out.logsFull.freeBytes)} free in ${out.logsFull.dir}); the job may have failed for that reason.`,
    )
  }
  if (signal === 'SIGXFSZ')
    hints.push(
      'SIGXFSZ means a file grew past the size limit set for the bot (`ulimit -f`, or `LimitFSIZE=` in its unit).',
    )
  return hints
}

export function finishReport(
  run: Run,
  job: Job | undefined,
  out: RunOutput,
  ctx: ReportContext,
): MessageOut[] {
  return reportBody(run, job, out, ctx).map((m) => withRunControls(m, run))
}

/**
 * A run that ended within one progress interval has no progress message: its report is the
 * first thing in the thread that is about it, so the report shows the run's number and the
 * Rerun and Logs buttons the finished progress message would have had (not files, which are
 * posted without buttons).
 */
function withRunControls(msg: MessageOut, run: Run): MessageOut {
  if (run.progressOutboxId != null || msg.purpose !== 'report' || msg.file) return msg
  return { ...msg, controls: reportControls(run.id, run.jobType) }
}

function reportBody(
  run: Run,
  job: Job | undefined,
  out: RunOutput,
  ctx: ReportContext,
): MessageOut[] {
  const secrets = ctx.secrets
  const took =
    run.startedAt && run.finishedAt ? formatDuration(run.finishedAt - run.startedAt) : '?'
  if (run.state === 'succeeded') {
    if (job?.reportStdout) return [outputMessage(run, job, redact(out.stdout, secrets), secrets)]
    if (job?.reportSuccess ?? true) {
      return [
        {
          kind: 'message',
          purpose: 'report',
          ...replySpot(run, job),
          text: `:white_check_mark: \`${run.jobType}\` succeeded (run ${run.id}, ${took}).`,
        },
      ]
    }
    return []
  }
  if (run.state === 'cancelled') {
    const by = run.cancelledBy ? ` by ${who(run.cancelledBy)}` : ''
    return [
      {
        kind: 'message',
        purpose: 'report',
        ...replySpot(run, job),
        text: `:no_entry_sign: \`${run.jobType}\` (run ${run.id}) was cancelled${by} after ${took}.`,
      },
    ]
  }
  let head: string
  if (run.state === 'timed_out') {
    head = `:hourglass: \`${run.jobType}\` timed out after ${formatDuration((job?.timeoutSeconds ?? 0) * 1000)} and was stopped (run ${run.id}).`
  } else if (run.state === 'lost') {
    const how = run.detail?.startsWith('the bot was stopped') ? 'was stopped' : 'restarted'
    head = run.detail?.startsWith('the instance running it')
      ? `:warning: ${run.detail[0]!.toUpperCase()}${run.detail.slice(1)} while \`${run.jobType}\` (run ${run.id}) was running; it did not finish.`
      : `:warning: The bot ${how} while \`${run.jobType}\` (run ${run.id}) was running; it did not finish.`
  } else if (run.detail?.startsWith(`${OUTPUT_LIMIT}:`)) {
    head = `:x: \`${run.jobType}\` (run ${run.id}, ${took}): ${run.detail.slice(OUTPUT_LIMIT.length + 2)}.`
  } else if (run.signal && (run.exitCode === null || run.exitCode === undefined)) {
    // It ran and a signal ended it (file size limit, OOM killer, someone's kill): not "could not run".
    head = `:x: \`${run.jobType}\` was killed by ${run.signal} (run ${run.id}, ${took}).`
  } else if (run.exitCode === null || run.exitCode === undefined) {
    head = `:x: \`${run.jobType}\` could not run (run ${run.id}): ${run.detail ?? 'unknown error'}.`
  } else {
    head = `:x: \`${run.jobType}\` failed with exit code ${run.exitCode} (run ${run.id}, ${took}).`
  }
  const tail = escapeSlackText(lastLines(redact(out.stderr, secrets), 15, 2500))
  const hints = failureHints(run.signal, out)
  const lines = [head, ...hints]
  if (tail) lines.push('Last lines of its error output:', fence(tail))
  if (run.stdoutPath) lines.push(`Say \`logs ${run.id}\` to see its output.`)
  if (!run.isDm) lines.push('Calling tech-support.')
  const report: MessageOut = {
    kind: 'message',
    purpose: 'report',
    ...replySpot(run, job),
    text: lines.join('\n'),
  }
  if (run.isDm) return [report]
  const escalation: MessageOut = {
    kind: 'message',
    purpose: 'escalation',
    channel: ctx.techSupportChannel,
    threadTs: null,
    text: [`${head} Requested by ${who(run.requestedBy)}.`, ...hints].join('\n'),
    ...(run.messageTs ? { linkTo: { channel: run.channel, ts: run.messageTs } } : {}),
  }
  return [report, escalation]
}

function outputMessage(run: Run, job: Job, output: string, secrets: readonly string[]): MessageOut {
  const base = { kind: 'message' as const, purpose: 'report' as const, ...replySpot(run, job) }
  const file = { filename: `${run.jobType}-${run.id}.txt`, content: output }
  const trimmed = output.trimEnd()
  if (!trimmed && job.reportFormat !== 'blocks')
    return { ...base, text: `\`${run.jobType}\` (run ${run.id}) succeeded and printed nothing.` }
  switch (job.reportFormat) {
    case 'file':
      return { ...base, text: `Output of \`${run.jobType}\` (run ${run.id}):`, file }
    case 'code':
      return escapeSlackText(trimmed).length + 8 <= MESSAGE_LIMIT
        ? { ...base, text: fence(escapeSlackText(trimmed)) }
        : { ...base, text: `Output of \`${run.jobType}\` (run ${run.id}):`, file }
    case 'blocks': {
      const parsed = parseBlocks(trimmed)
      // Masked again after parsing: JSON can spell a secret with `\u` escapes the text did not show.
      if ('blocks' in parsed)
        return {
          ...base,
          text:
            escapeSlackText(redact(parsed.fallback, secrets)) ||
            `\`${run.jobType}\` (run ${run.id})`,
          jobBlocks: mapStrings(redactDeep(parsed.blocks, secrets), withoutBroadcasts),
        }
      const note = `(The job's Block Kit output was unusable: ${parsed.error}; here it is as text.)`
      if (!trimmed)
        return {
          ...base,
          text: `\`${run.jobType}\` (run ${run.id}) succeeded but ${note.slice(1, -1).replace('; here it is as text', '')}.`,
        }
      return escapeSlackText(trimmed).length + note.length < MESSAGE_LIMIT
        ? { ...base, text: `${escapeSlackText(trimmed)}\n${note}` }
        : { ...base, text: note, file }
    }
    default:
      return escapeSlackText(trimmed).length <= MESSAGE_LIMIT
        ? { ...base, text: escapeSlackText(trimmed) }
        : {
            ...base,
            text: `Output of \`${run.jobType}\` (run ${run.id}) is long; here it is as a file.`,
            file,
          }
  }
}

/** A job's `blocks` output: a JSON array of at most 50 Block Kit blocks, each with a `type`. */
function parseBlocks(
  output: string,
): { blocks: KnownBlock[]; fallback: string } | { error: string } {
  if (!output.trim()) return { error: 'it printed nothing' }
  let value: unknown
  try {
    value = JSON.parse(output)
  } catch {
    return { error: 'it is not JSON' }
  }
  if (!Array.isArray(value)) return { error: 'it is not a JSON array of blocks' }
  if (value.length === 0 || value.length > 50)
    return { error: `Slack takes 1 to 50 blocks, it has ${value.length}` }
  if (
    !value.every(
      (b) => b && typeof b === 'object' && typeof (b as { type?: unknown }).type === 'string',
    )
  ) {
    return { error: 'every block needs a "type"' }
  }
  const texts: string[] = []
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (typeof o.text === 'string') texts.push(o.text)
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x)
    }
  }
  walk(value)
  return { blocks: value as KnownBlock[], fallback: texts.join(' ').slice(0, 3000) }
}

export function lastLines(text: string, n: number, maxChars: number): string {
  const lines = text.trimEnd().split('\n')
  let tail = lines.slice(-n).join('\n')
  if (tail.length > maxChars) tail = `…${tail.slice(-maxChars)}`
  return tail.trim() ? tail : ''
}

const fence = (s: string) => '```\n' + s.replace(/```/g, '`\u200b``') + '\n```'
