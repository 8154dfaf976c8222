// How a run ended, from why the bot stopped it (if it did) and how its first process exited.
import type { Job } from '../config/types.ts'
import type { Outcome } from '../queue/finish.ts'
import { outputLimitDetail } from '../app/output-limit.ts'

export type StopReason = 'timeout' | 'cancel' | 'shutdown' | 'output'

export interface Stop {
  reason: StopReason
  /** who cancelled it */
  by?: string
}

export function outcomeOf(
  stop: Stop | undefined,
  exitCode: number | null,
  signal: string | null,
  job: Pick<Job, 'timeoutSeconds' | 'maxOutputBytes'>,
): Outcome {
  switch (stop?.reason) {
    case 'timeout':
      return {
        state: 'timed_out',
        exitCode,
        signal,
        detail: `timed out after ${job.timeoutSeconds}s`,
      }
    case 'cancel':
      return { state: 'cancelled', exitCode, signal, cancelledBy: stop.by }
    case 'output':
      return { state: 'failed', exitCode, signal, detail: outputLimitDetail(job.maxOutputBytes) }
    case 'shutdown':
      return { state: 'lost', exitCode, signal, detail: 'the bot was stopped while it ran' }
  }
  if (exitCode === 0) return { state: 'succeeded', exitCode: 0 }
  return { state: 'failed', exitCode, signal, detail: signal ? `killed by ${signal}` : null }
}
