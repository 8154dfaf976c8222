// Schema pieces for the limits a job and the web server live within: sizes ("64MB") and ages
// ("30d"), plus the user jobs run as and how their processes are contained.
import { z } from 'zod'

export const CONTAINMENT = ['auto', 'cgroup', 'sweep'] as const
export type ContainmentSetting = (typeof CONTAINMENT)[number]

const MB = 1024 ** 2
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i
const UNIT: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 }
UNIT.gb = UNIT.gib = 1024 ** 3

/** Bytes from a number or "512KB", "64MB", "1GB" (binary multiples: 1 MB is 1024 × 1024 bytes). */
export function parseSize(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null
  const m = SIZE.exec(v.trim())
  if (!m) return null
  return Math.floor(Number(m[1]) * (UNIT[(m[2] ?? 'b').toLowerCase()] ?? 1))
}

export const size = (help: string) =>
  z
    .union([z.number(), z.string()])
    .describe(`${help}; bytes, or "512KB", "64MB", "1GB"`)
    .transform((v, ctx) => {
      const bytes = parseSize(v)
      if (bytes === null || bytes < 1024) {
        ctx.addIssue({
          code: 'custom',
          message: `bad size ${JSON.stringify(v)}: use bytes (at least 1024) or "512KB", "64MB", "1GB"`,
        })
        return z.NEVER
      }
      return bytes
    })

const AGE = /^(\d+)\s*(h|d|w)$/

/** Seconds from a number of seconds or "12h", "30d", "8w". */
export function parseAge(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null
  const m = AGE.exec(v.trim())
  if (!m) return null
  return Number(m[1]) * { h: 3600, d: 86_400, w: 7 * 86_400 }[m[2] as 'h' | 'd' | 'w']
}

export const age = (help: string) =>
  z
    .union([z.number(), z.string()])
    .describe(`${help}; seconds, or "12h", "30d", "8w"`)
    .transform((v, ctx) => {
      const seconds = parseAge(v)
      if (!seconds) {
        ctx.addIssue({
          code: 'custom',
          message: `bad age ${JSON.stringify(v)}: use seconds or hours, days, weeks, e.g. "12h", "30d", "8w"`,
        })
        return z.NEVER
      }
      return seconds
    })

const account = z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'a user or group name')

export const runAsSchema = z
  .union([
    account,
    z.strictObject({
      user: account.describe('the user jobs run as'),
      group: account.optional().describe("the group jobs run as; default the user's own"),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { user: v } : v))
  .describe(
    "run jobs as this user (and group, default the user's own), not as the bot; needs CAP_SETUID and CAP_SETGID (see docs/deploying.md)",
  )

export const limitSettings = {
  max_output: size(
    'default for jobs: stop a job whose stdout and stderr together pass this',
  ).default(64 * MB),
  keep_logs: age('delete run log folders last written longer ago than this (30 days)').default(
    30 * 86_400,
  ),
  webhook_bytes_in_flight: size(
    'request bodies the web server holds at once, across all requests (64 MB); beyond it, 503',
  ).default(64 * MB),
  containment: z
    .enum(CONTAINMENT)
    .default('auto')
    .describe(
      "how a run's processes are kept together so all of them end with it: cgroup (a cgroup per run; needs Delegate=yes under systemd, or root), sweep (subreaper and /proc sweep), auto (cgroup when possible)",
    ),
  run_as: runAsSchema.optional(),
  jobs_dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      "jobs' HOME and the parent of default working folders (workspace/<namespace>); outside the state folder; default <state folder>-jobs",
    ),
}
