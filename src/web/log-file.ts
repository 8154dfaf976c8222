// A run's log files as the pages show them: masked with the same secrets as its reports, and
// cut only at line starts, so a tail never begins halfway through a secret the masker would
// then not recognise.
import type { AppContext } from '../app/context.ts'
import { jobSecrets } from '../config/job-secrets.ts'
import { findJob } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { redact } from '../util/redact.ts'

export type Stream = 'stdout' | 'stderr'

export const pathOf = (run: Run, stream: Stream) =>
  stream === 'stdout' ? run.stdoutPath : run.stderrPath

/** The bot's secrets and the job's own `secret: true` values. */
export function secretsOf(ctx: AppContext, run: Run): string[] {
  const job = findJob(ctx.config, run.jobType)
  return [...ctx.reports.secrets, ...(job ? jobSecrets(job, ctx.env.vars) : [])]
}

const sizeOf = (path: string) => {
  const f = Bun.file(path)
  return f.size
}

/** The last `max` bytes from a line start, masked, and the file's size when read. */
export async function readLogTail(
  path: string | null,
  max: number,
  secrets: readonly string[],
): Promise<{ text: string; size: number; cut: boolean }> {
  if (!path) return { text: '', size: 0, cut: false }
  try {
    const size = sizeOf(path)
    const start = Math.max(0, size - max)
    let bytes = new Uint8Array(await Bun.file(path).slice(start, size).arrayBuffer())
    if (start > 0) bytes = bytes.subarray(bytes.indexOf(10) + 1)
    return { text: redact(new TextDecoder().decode(bytes), secrets), size, cut: start > 0 }
  } catch {
    return { text: '', size: 0, cut: false } // no file yet, or gone (logs are pruned)
  }
}

/** Complete lines from `offset` on (a partial last line waits for its end unless `all`). */
export async function readLinesFrom(
  path: string,
  offset: number,
  secrets: readonly string[],
  all: boolean,
  maxBytes = 256 * 1024,
): Promise<{ text: string; next: number }> {
  let size: number
  try {
    size = sizeOf(path)
  } catch {
    return { text: '', next: offset }
  }
  if (size <= offset) return { text: '', next: Math.min(size, offset) }
  const end = Math.min(size, offset + maxBytes)
  const bytes = new Uint8Array(await Bun.file(path).slice(offset, end).arrayBuffer())
  const lastNewline = bytes.lastIndexOf(10)
  // A long line without its end yet is sent in pieces once it fills the chunk.
  const take = all || end - offset === maxBytes ? bytes.length : lastNewline + 1
  if (take <= 0) return { text: '', next: offset }
  return {
    text: redact(new TextDecoder().decode(bytes.subarray(0, take)), secrets),
    next: offset + take,
  }
}
