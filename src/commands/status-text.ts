// The `status` reply: running, scheduled (held ones marked), active and future suppressions.
import { formatUtc, plural } from './times.ts'

interface RunLike {
  id: number
  jobType: string
  startedAt: number | null
  dueAt: number
}
interface SuppressionLike {
  id: number
  jobType: string
  startAt: number
  endAt: number
}

export interface StatusInput {
  now: number
  running: RunLike[]
  scheduled: RunLike[]
  suppressions: SuppressionLike[]
}

export function statusText({ now, running, scheduled, suppressions }: StatusInput): string {
  const active = suppressions.filter((s) => s.startAt <= now && now < s.endAt)
  const future = suppressions.filter((s) => s.startAt > now)
  const heldTypes = new Set(active.map((s) => s.jobType))
  const sections: string[] = []
  if (running.length) {
    sections.push(
      [
        `${plural(running.length, 'job')} running:`,
        ...running.map(
          (r) => `• [${r.id}] \`${r.jobType}\` started at ${formatUtc(r.startedAt ?? now)}`,
        ),
      ].join('\n'),
    )
  }
  if (scheduled.length) {
    sections.push(
      [
        `${plural(scheduled.length, 'job')} scheduled:`,
        ...scheduled.map(
          (r) =>
            `• [${r.id}] \`${r.jobType}\` due at ${formatUtc(r.dueAt)}${heldTypes.has(r.jobType) ? ' (held by a suppression)' : ''}`,
        ),
      ].join('\n'),
    )
  }
  const list = (s: SuppressionLike) =>
    `• [${s.id}] \`${s.jobType}\` from ${formatUtc(s.startAt)} to ${formatUtc(s.endAt)}`
  if (active.length)
    sections.push(
      [`${plural(active.length, 'active suppression')}:`, ...active.map(list)].join('\n'),
    )
  if (future.length)
    sections.push(
      [`${plural(future.length, 'scheduled suppression')}:`, ...future.map(list)].join('\n'),
    )
  if (!sections.length)
    return `It is ${formatUtc(now)}. Nothing is happening: no jobs running or scheduled, no suppressions.`
  return [`It is ${formatUtc(now)}.`, ...sections].join('\n\n')
}
