// A running job's log, followed: the file the dispatcher's job writes is read from where the
// page left off, a few times a second, and each batch of complete lines goes out masked as one
// server-sent event. When the run is over and the file read to its end, `end` says so.
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppContext } from '../app/context.ts'
import { FINAL_STATES, type Run } from '../queue/schema.ts'
import { pathOf, readLinesFrom, secretsOf, type Stream } from './log-file.ts'

const POLL_MS = 250
/** A live log is closed after this long; the browser's EventSource then reconnects from where it was. */
const MAX_STREAM_MS = 10 * 60_000

export function followLog(c: Context, ctx: AppContext, first: Run, stream: Stream, from: number) {
  const secrets = secretsOf(ctx, first)
  return streamSSE(c, async (sse) => {
    let offset = from
    let run: Run | undefined = first
    let sinceCheck = 0
    const until = Date.now() + MAX_STREAM_MS
    let id = 0
    while (!sse.aborted && !sse.closed && Date.now() < until) {
      // The run row says when the job has ended (and where its file is once it started).
      if (sinceCheck++ % 4 === 0) run = await ctx.queue.getRun(first.id)
      const ended = !run || FINAL_STATES.includes(run.state)
      const path = run ? pathOf(run, stream) : null
      if (path) {
        const got = await readLinesFrom(path, offset, secrets, ended)
        if (got.text) {
          offset = got.next
          await sse.writeSSE({ event: 'chunk', data: JSON.stringify(got.text), id: String(++id) })
          continue
        }
        offset = got.next
      }
      if (ended) {
        await sse.writeSSE({ event: 'end', data: run?.state ?? 'gone' })
        return
      }
      await sse.sleep(POLL_MS)
    }
  })
}
