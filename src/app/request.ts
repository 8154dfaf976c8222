// A request for a job, made from a message: who asked, from where, and where answers go.
import { renderCommand } from '../commands/template.ts'
import type { Job } from '../config/types.ts'
import type { RequestInput } from '../queue/schedule.ts'
import type { MessageIn } from './door.ts'

export function requestFor(
  msg: MessageIn,
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
    threadTs: msg.threadTs,
    messageTs: msg.messageTs,
    isDm: msg.isDirect,
    requestText,
    params,
    command: opts.command ?? renderCommand(job.run, params),
    delaySeconds: opts.delaySeconds ?? 0,
  }
}
