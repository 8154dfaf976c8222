// Reads the Python ebmbot's queue database (its `job` and `suppression` tables), read-only, so
// `ebmbot config import --queue` can carry scheduled jobs and suppressions over.
import { Database } from 'bun:sqlite'

export interface OldJob {
  id: number
  type: string
  /** JSON object of the command's captured values */
  args: string | null
  channel: string | null
  threadTs: string | null
  /** Python datetimes as sqlite3 stored them: `YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]` */
  startAfter: string | null
  startedAt: string | null
  isIm: boolean
}

export interface OldSuppression {
  id: number
  jobType: string
  startAt: string | null
  endAt: string | null
}

export function readOldQueue(file: string): { jobs: OldJob[]; suppressions: OldSuppression[] } {
  const db = new Database(file, { readonly: true })
  try {
    const jobs = db
      .query<
        {
          id: number
          type: string
          args: string | null
          channel: string | null
          thread_ts: string | null
          start_after: string | null
          started_at: string | null
          is_im: number | null
        },
        []
      >(
        'SELECT id, type, args, channel, thread_ts, start_after, started_at, is_im FROM job ORDER BY id',
      )
      .all()
      .map((r) => ({
        id: r.id,
        type: r.type,
        args: r.args,
        channel: r.channel,
        threadTs: r.thread_ts,
        startAfter: r.start_after,
        startedAt: r.started_at,
        isIm: !!r.is_im,
      }))
    const suppressions = db
      .query<{ id: number; job_type: string; start_at: string | null; end_at: string | null }, []>(
        'SELECT id, job_type, start_at, end_at FROM suppression ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, jobType: r.job_type, startAt: r.start_at, endAt: r.end_at }))
    return { jobs, suppressions }
  } finally {
    db.close()
  }
}
