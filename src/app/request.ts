// A request for a job, made from a message or a trigger: who asked, from where, and where
// answers go. The one place a request is put together.
import { renderCommand } from '../syntax/template.ts'
import type { Job } from '../config/types.ts'
import type { RequestInput } from '../queue/schedule.ts'
import type { MessageIn } from './door.ts'

/** Where a request came from: a message, or a trigger's door, requester and channel. */
export type RequestOrigin = Pick<MessageIn, 'door' | 'user' | 'channel'> &
  Partial<Pick<MessageIn, 'threadTs' | 'messageTs' | 'isDirect'>>

export function requestFor(
  msg: RequestOrigin,
  job: Job,
  params: Record<string, string>,
  requestText: string,
  opts: { delaySeconds?: number; command?: string } = {},
): RequestInput {
  return {
    namespace: job.namespace,
    job: job.name,
    jobType: job.type,
    door: msg.door,
    requestedBy: msg.user,
    channel: msg.channel,
    threadTs: msg.threadTs ?? null,
    messageTs: msg.messageTs ?? null,
    isDm: msg.isDirect ?? false,
    requestText,
    params,
    command: opts.command ?? renderCommand(job.run, params),
    delaySeconds: opts.delaySeconds ?? 0,
  }
}
