// Carries the Python ebmbot's scheduled jobs and suppressions into this bot's queue: each pending
// job becomes a request with its values, channel, thread and start time; each suppression not yet
// over is kept. Jobs that were running, and types the new config lacks, are reported, not queued.
import { renderCommand } from '../syntax/template.ts'
import { findJob, type Config } from '../config/types.ts'
import { readOldQueue } from '../queue/old-queue.ts'
import type { Queue } from '../queue/queue.ts'

const CARRIED_BY = 'python-ebmbot'

/** A Python datetime as sqlite3 stored it; one without a zone was UTC in the original. */
function oldTime(text: string | null): number | null {
  if (!text) return null
  const iso = text.trim().replace(' ', 'T')
  const ms = Date.parse(/[+-]\d\d:\d\d$|Z$/.test(iso) ? iso : `${iso}Z`)
  return Number.isNaN(ms) ? null : ms
}

export interface CarryResult {
  requests: number
  suppressions: number
  notes: string[]
}

export async function carryQueue(
  oldFile: string,
  queue: Queue,
  config: Config,
  now: number,
): Promise<CarryResult> {
  const old = readOldQueue(oldFile)
  // All or nothing: an import that fails halfway leaves the new queue as it was, to run again.
  return queue.atomically((q) => carry(old, q, config, now))
}

async function carry(
  old: ReturnType<typeof readOldQueue>,
  queue: Queue,
  config: Config,
  now: number,
): Promise<CarryResult> {
  const notes: string[] = []
  let requests = 0
  for (const j of old.jobs) {
    const job = findJob(config, j.type)
    if (j.startedAt) {
      notes.push(
        `old job ${j.id} (${j.type}) was running when the Python bot stopped: not carried; check whether it finished`,
      )
      continue
    }
    if (!job) {
      notes.push(`old job ${j.id}: no job type ${j.type} in the new config; not carried`)
      continue
    }
    let params: Record<string, string> = {}
    try {
      params = j.args ? (JSON.parse(j.args) as Record<string, string>) : {}
    } catch {
      notes.push(`old job ${j.id} (${j.type}): its args are not JSON; not carried`)
      continue
    }
    const due = oldTime(j.startAfter) ?? now
    await queue.scheduleRequest(now, {
      namespace: job.namespace,
      job: job.name,
      jobType: job.type,
      door: 'slack',
      requestedBy: CARRIED_BY,
      channel: j.channel ?? '',
      threadTs: j.threadTs,
      isDm: j.isIm,
      requestText: `(carried over from the Python ebmbot's job ${j.id})`,
      params,
      command: renderCommand(job.run, params),
      delaySeconds: Math.max(0, Math.ceil((due - now) / 1000)),
    })
    requests++
  }
  let suppressions = 0
  for (const s of old.suppressions) {
    const start = oldTime(s.startAt)
    const end = oldTime(s.endAt)
    if (start === null || end === null || end <= now) continue
    if (!findJob(config, s.jobType)) {
      notes.push(`old suppression ${s.id}: no job type ${s.jobType} in the new config; not carried`)
      continue
    }
    await queue.addSuppression(now, s.jobType, start, end, CARRIED_BY)
    suppressions++
  }
  return { requests, suppressions, notes }
}
