// A newer request of a job type replaces the pending one (keeping its run number and its place in
// the queue). Whoever asked for the pending one is told in their own thread, by whom and with
// what, so nobody waits for a run that no longer does what they asked.
import { who } from '../commands/times.ts'
import type { Run } from '../queue/schema.ts'
import { replyDoor, type AppContext } from './context.ts'

/** Stores the notice, inside the caller's unit of work; nothing when the same person asked again in the same place. */
export async function tellReplaced(
  ctx: AppContext,
  previous: Run | undefined,
  now: Run,
  how: 'replaced' | 'superseded' = 'replaced',
): Promise<void> {
  if (!previous) return
  const samePlace = previous.channel === now.channel && previous.threadTs === now.threadTs
  if (previous.requestedBy === now.requestedBy && samePlace) return
  const params = Object.entries(now.params as Record<string, string>)
  const values = params.length
    ? ` with ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`
    : ''
  const otherChannel = previous.channel !== now.channel && /^[CG][A-Z0-9]+$/.test(now.channel)
  const elsewhere = otherChannel ? ` in <#${now.channel}>` : ''
  const text =
    how === 'replaced'
      ? `:warning: Your pending \`${previous.jobType}\` request (run ${previous.id}) was replaced by ${who(now.requestedBy)}'s request${elsewhere}${values}: run ${previous.id} now runs that request and reports there. Ask again if you still need yours.`
      : `:warning: Your pending \`${previous.jobType}\` request (run ${previous.id}) was dropped: ${who(now.requestedBy)}'s request (run ${now.id})${elsewhere}${values} was approved and takes its place. Ask again if you still need yours.`
  await ctx.queue.enqueueOutgoing(
    ctx.now(),
    replyDoor(ctx, previous),
    [
      {
        kind: 'message',
        purpose: 'reply',
        channel: previous.channel,
        threadTs: previous.threadTs,
        text,
      },
    ],
    previous.id,
  )
  ctx.log.info('request.replaced_notice', {
    run: previous.id,
    was: previous.requestedBy,
    by: now.requestedBy,
  })
}
