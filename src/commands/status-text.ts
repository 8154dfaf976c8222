// The `status` reply: running, scheduled (held ones marked, with when they are let go), waiting
// for approval, active and future suppressions.
import { formatUtc, plural } from './times.ts'

interface RunLike {
  id: number
  jobType: string
  startedAt: number | null
  dueAt: number
  /** with several instances: the one running it (`host:pid`) */
  on?: string
  /** a pending request no instance up may run: the runs_on tags it waits for */
  waitsFor?: string[]
}
interface InstanceLike {
  label: string
  tags: string[]
  heartbeatAgeMs: number
}
interface AwaitingLike {
  id: number
  jobType: string
  requestedBy: string
  approvalExpiresAt: number | null
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
  /** runs asked for that wait for an approver's yes */
  awaiting?: AwaitingLike[]
  /** the instances up, when there are several or jobs choose theirs (runs_on) */
  instances?: InstanceLike[]
}

/** A Slack user id as a mention; anyone else (local chat, a webhook) by name. */
const who = (user: string) => (/^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : user)

/** `HH:MM` UTC: suppression windows are within today, so the time says enough. */
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16)

export function statusText({
  now,
  running,
  scheduled,
  suppressions,
  awaiting = [],
  instances,
}: StatusInput): string {
  const active = suppressions.filter((s) => s.startAt <= now && now < s.endAt)
  const future = suppressions.filter((s) => s.startAt > now)
  // Overlapping windows hold a job type until the latest of them ends.
  const heldUntil = new Map<string, number>()
  for (const s of active) heldUntil.set(s.jobType, Math.max(heldUntil.get(s.jobType) ?? 0, s.endAt))
  const sections: string[] = []
  if (running.length) {
    sections.push(
      [
        `${plural(running.length, 'job')} running:`,
        ...running.map(
          (r) =>
            `• [${r.id}] \`${r.jobType}\` started at ${formatUtc(r.startedAt ?? now)}${r.on ? ` on ${r.on}` : ''}`,
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
            `• [${r.id}] \`${r.jobType}\` due at ${formatUtc(r.dueAt)}${heldUntil.has(r.jobType) ? ` (held by a suppression until ${hhmm(heldUntil.get(r.jobType)!)} UTC)` : ''}${r.waitsFor ? ` (waits for an instance tagged ${r.waitsFor.map((t) => `\`${t}\``).join(' or ')}: none is up)` : ''}`,
        ),
      ].join('\n'),
    )
  }
  if (awaiting.length) {
    sections.push(
      [
        `${plural(awaiting.length, 'run')} waiting for approval:`,
        ...awaiting.map(
          (r) =>
            `• [${r.id}] \`${r.jobType}\` asked by ${who(r.requestedBy)}${r.approvalExpiresAt ? `, until ${formatUtc(r.approvalExpiresAt)}` : ''} (\`approve ${r.id}\` or \`deny ${r.id}\`)`,
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
  const up =
    instances &&
    [
      `${plural(instances.length, 'instance')} up:`,
      ...instances.map(
        (i) =>
          `• ${i.label}${i.tags.length ? ` (${i.tags.join(', ')})` : ''}, last heard ${Math.round(i.heartbeatAgeMs / 1000)}s ago`,
      ),
    ].join('\n')
  if (!sections.length)
    return `It is ${formatUtc(now)}. Nothing is happening: no jobs running, scheduled or waiting for approval, no suppressions.${up ? `\n\n${up}` : ''}`
  return [`It is ${formatUtc(now)}.`, ...sections, ...(up ? [up] : [])].join('\n\n')
}
