// Why a failed run failed: its first failed task, the exception that step raised (the task's
// `_exception` artifact) and the last lines of its stderr, for the failure notice and `status`.
import { escapeSlackText as esc } from '../util/slack-text.ts'
import { attemptsByTask } from './attempts.ts'
import { exceptionLine, type MetaflowException } from './exception.ts'
import type { RunView } from './run-view.ts'
import type { MetaflowSource } from './source.ts'
import type { TaskPath } from './types.ts'

export interface FailureDetail {
  task: TaskPath
  exception: MetaflowException | null
  /** the last non-empty lines of the failed attempt's stderr */
  stderrTail: string[]
}

const STDERR_LINES = 5
const MAX_LINE_CHARS = 300

/** Null when the run is not failed, no task failed (a lost run), or nothing about the error is readable. */
export async function loadFailure(
  source: MetaflowSource,
  view: RunView,
): Promise<FailureDetail | null> {
  if (view.status.status !== 'failed') return null
  const failed = [...attemptsByTask(view.metadata).values()]
    .filter((a) => a.latest?.ok === false)
    .sort((a, b) => (a.latest!.endedAt ?? 0) - (b.latest!.endedAt ?? 0))[0]
  if (!failed) return null
  const task: TaskPath = {
    flow: String(view.run.flow_id),
    run: String(view.run.run_number),
    step: failed.step,
    task: failed.task,
  }
  const attempt = failed.latest!.attempt
  const [exception, stderrTail] = await Promise.all([
    readException(source, task, attempt),
    source
      .readLog(task, 'stderr', attempt)
      .then((log) =>
        log.lines
          .map((l) => l.text)
          .filter((t) => t.trim() !== '')
          .slice(-STDERR_LINES)
          .map((t) => (t.length > MAX_LINE_CHARS ? `${t.slice(0, MAX_LINE_CHARS)}…` : t)),
      )
      .catch(() => []),
  ])
  // Nothing more to say than the step's name: the status line already has it.
  return exception || stderrTail.length ? { task, exception, stderrTail } : null
}

async function readException(
  source: MetaflowSource,
  task: TaskPath,
  attempt: number,
): Promise<MetaflowException | null> {
  try {
    const artifact = (await source.listArtifacts(task, attempt)).find(
      (a) => a.name === '_exception',
    )
    return artifact ? ((await source.loadArtifact(artifact)).exception ?? null) : null
  } catch {
    return null
  }
}

/** The lines added under a failure: what was raised where, then the end of its stderr. */
export function failureText(f: FailureDetail): string {
  const where = `\`${f.task.step}/${f.task.task}\``
  const lines = [
    f.exception
      ? `Step ${where} raised \`${esc(oneLine(exceptionLine(f.exception)))}\`.`
      : `Step ${where} failed.`,
  ]
  if (f.stderrTail.length)
    lines.push(
      `Last lines of its stderr:\n\`\`\`\n${esc(f.stderrTail.join('\n')).replaceAll('```', '`\u200b``')}\n\`\`\``,
    )
  lines.push(
    `\`logs ${f.task.step} stderr\` shows all of it; \`data ${f.task.step} _exception\` the traceback.`,
  )
  return lines.join('\n')
}

function oneLine(text: string): string {
  const first = text.split('\n')[0]!.replaceAll('`', "'")
  return first.length > MAX_LINE_CHARS ? `${first.slice(0, MAX_LINE_CHARS)}…` : first
}
