// A namespace's files refreshed before each run (the Python bot's fabfile): downloaded, then
// renamed into place, so a job never sees half a file. A failure is told to the logs channel
// and the job runs with the copy already there, as before.
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AppContext, replyDoor } from '../app/context.ts'
import type { Namespace } from '../config/types.ts'
import { redact } from '../util/redact.ts'
import type { Run } from '../queue/schema.ts'
import { errorText } from '../util/log.ts'

const FETCH_TIMEOUT_MS = 15_000
const MAX_BYTES = 16 * 1024 * 1024

export async function fetchFiles(ctx: AppContext, ns: Namespace, run: Run): Promise<void> {
  for (const f of ns.fetch) {
    const target = join(ns.workdir, f.file)
    try {
      const res = await fetch(f.url, {
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        redirect: 'follow',
      })
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim())
      const body = new Uint8Array(await res.arrayBuffer())
      if (body.length > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES / 1024 / 1024} MiB`)
      const tmp = `${target}.ebmbot-${run.id}.tmp`
      await writeFile(tmp, body)
      await rename(tmp, target)
      ctx.log.debug('run.fetched', { run: run.id, file: f.file, bytes: body.length })
    } catch (e) {
      // URLs may carry tokens: mask the bot's secrets in what is shown and logged.
      const why = redact(errorText(e), ctx.reports.secrets)
      const url = redact(f.url, ctx.reports.secrets)
      ctx.log.warn('run.fetch_failed', { run: run.id, file: f.file, error: why })
      const text = `Could not refresh \`${f.file}\` from ${url} before \`${run.jobType}\` (run ${run.id}): ${why}. The job runs with the copy already there.`
      await ctx.queue.enqueueOutgoing(
        ctx.now(),
        replyDoor(ctx, run),
        [
          {
            kind: 'message',
            purpose: 'notice',
            channel: ctx.reports.logsChannel,
            threadTs: null,
            text,
          },
        ],
        run.id,
      )
      ctx.wake.outbox.notify()
    }
  }
}
