// Schema pieces shared by the config's sections (jobs, the github and metaflow sections): names
// that become paths, durations, environment allowlists, and who may run or approve.
import { z } from 'zod'

/** Names that become path segments or job types: no slashes, dots, underscores or traversal. */
export const NAME = /^[a-z0-9][a-z0-9-]*$/i
export const name = (what: string) =>
  z
    .string()
    .regex(
      NAME,
      `${what} must be one word of letters, digits and hyphens (no dots, slashes or underscores)`,
    )
    .max(40)

/**
 * Job names may also hold underscores (every Python ebmbot config has them). The job type stays
 * unambiguous: namespaces never hold one, so a type's first underscore ends its namespace.
 */
export const JOB_NAME = /^[a-z0-9][a-z0-9_-]*$/i
export const jobName = () =>
  z
    .string()
    .regex(
      JOB_NAME,
      'job must be one word of letters, digits, hyphens and underscores (no dots or slashes)',
    )
    .max(60)

const DURATION = /^(\d+)\s*(ms|s|m|h)?$/

function parseDuration(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  const m = DURATION.exec(v.trim())
  if (!m) return null
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  return unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600
}

/** Seconds as a number, or a string such as `90s`, `10m`, `2h`; more than 0, at most 7 days. */
export const duration = (help = 'seconds, or a duration such as "90s", "10m", "2h"') =>
  z
    .union([z.number(), z.string()])
    .describe(help)
    .transform((v, ctx) => {
      const seconds = parseDuration(v)
      if (seconds === null || seconds <= 0 || seconds > 7 * 24 * 3600) {
        ctx.addIssue({
          code: 'custom',
          message: `bad duration ${JSON.stringify(v)}: use seconds (e.g. 600) or "500ms", "90s", "10m", "2h", more than 0 and at most 7 days`,
        })
        return z.NEVER
      }
      return seconds
    })

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/**
 * An allowlisted environment variable: a name (its value comes from the service's environment),
 * a name marked secret (masked wherever shown), or a name with a fixed value set here.
 */
export const envVar = z.union([
  z.string().regex(ENV_NAME, 'environment variable names are letters, digits and underscores'),
  z.strictObject({
    name: z.string().regex(ENV_NAME),
    secret: z.boolean().default(false).describe('redact its value from everything shown to users'),
    value: z
      .string()
      .optional()
      .describe(
        "a fixed value (e.g. PYTHONPATH: a folder); without it the value is the service's own",
      ),
  }),
])

/** Slack user ids (U…), user group ids (S…) and channel ids (C…/D…/G…) or names. */
const ids = z.array(z.string().min(1)).default([])
export const allowSchema = z.strictObject({
  users: ids.describe('Slack user ids; empty means anyone'),
  groups: ids.describe('Slack user group ids (S...) whose members may run it'),
  channels: ids.describe('channels where it may be invoked (ids or #names); empty means anywhere'),
})
export const approversSchema = z.strictObject({
  users: ids.describe('Slack user ids who may approve'),
  groups: ids.describe('Slack user group ids whose members may approve'),
})

/** What an instance tag looks like (EBMBOT_INSTANCE_TAGS, runs_on). */
export const INSTANCE_TAG = /^[a-z0-9][a-z0-9_.-]{0,62}$/

export const runsOn = z
  .array(
    z
      .string()
      .regex(
        INSTANCE_TAG,
        'an instance tag: lower-case letters, digits, dots, hyphens, underscores (as in EBMBOT_INSTANCE_TAGS)',
      ),
  )
  .min(1)
  .optional()
