// Schema pieces for the limits a job and the web server live within: sizes ("64MiB") and ages
// ("30d"), plus the user jobs run as and how their processes are contained.
import { z } from 'zod'

const CONTAINMENT = ['auto', 'cgroup', 'sweep'] as const
export type ContainmentSetting = (typeof CONTAINMENT)[number]

const MiB = 1024 ** 2
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/
// As in github.body_limit: KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024.
const UNIT: Record<string, number> = {
  B: 1,
  KB: 1000,
  KiB: 1024,
  MB: 1000 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  GiB: 1024 ** 3,
}

/** Bytes from a number or a size such as "512KiB", "64MiB", "1GB". */
export function parseSize(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null
  const m = SIZE.exec(v.trim())
  if (!m) return null
  return Math.floor(Number(m[1]) * (UNIT[m[2] ?? 'B'] ?? 1))
}

export const size = (help: string) =>
  z
    .union([z.number(), z.string()])
    .describe(`${help}; bytes, or a size such as "512KiB", "64MiB", "1GB"`)
    .transform((v, ctx) => {
      const bytes = parseSize(v)
      if (bytes === null || bytes < 1024) {
        ctx.addIssue({
          code: 'custom',
          message: `bad size ${JSON.stringify(v)}: use bytes (at least 1024) or a size such as "512KiB", "64MiB", "1GB"`,
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

const age = (help: string) =>
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

const runAsSchema = z
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
  ).default(64 * MiB),
  keep_logs: age('delete run log folders last written longer ago than this (30 days)').default(
    30 * 86_400,
  ),
  webhook_bytes_in_flight: size(
    'request bodies the web server holds at once, across all requests (64 MiB); beyond it, 503',
  ).default(64 * MiB),
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
