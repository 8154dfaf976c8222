// The `github` section of the config: projects (the `<project>` of `POST /github/<project>`), their
// secret, and triggers that turn a delivery into a job request. Cross-checks (jobs exist, every
// placeholder supplied, filters fit the event) are in github-rules.ts.
import { z } from 'zod'
import { duration } from './schema-parts.ts'

/** Bytes as a number, or a string such as `512KiB`, `5MiB`, `1MB`. */
const SIZE = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/
const UNIT: Record<string, number> = { B: 1, KB: 1000, KiB: 1024, MB: 1000 ** 2, MiB: 1024 ** 2 }
/** GitHub caps payloads at 25 MB; a larger limit would only let forged bodies in. */
const MAX_BODY_LIMIT = 25 * 1024 * 1024
const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024

function parseSize(v: number | string): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null
  const m = SIZE.exec(v.trim())
  return m ? Number(m[1]) * UNIT[m[2] ?? 'B']! : null
}

const size = z
  .union([z.number(), z.string()])
  .describe('bytes, or a size such as "512KiB", "5MiB"')
  .transform((v, ctx) => {
    const bytes = parseSize(v)
    if (bytes === null || bytes < 1024 || bytes > MAX_BODY_LIMIT) {
      ctx.addIssue({
        code: 'custom',
        message: `bad size ${JSON.stringify(v)}: use bytes or "512KiB", "5MiB", from 1KiB to 25MiB (GitHub's own cap)`,
      })
      return z.NEVER
    }
    return bytes
  })

/**
 * What the named filters compare, per event: the payload field holding the value. A filter on an
 * event missing from its table is refused at load, so a trigger can never silently match nothing.
 */
export const FILTER_FIELDS = {
  merged: { pull_request: 'pull_request.merged', pull_request_target: 'pull_request.merged' },
  base_branch: {
    pull_request: 'pull_request.base.ref',
    pull_request_target: 'pull_request.base.ref',
    pull_request_review: 'pull_request.base.ref',
  },
  ref: {
    push: 'ref',
    create: 'ref',
    delete: 'ref',
    release: 'release.tag_name',
    workflow_run: 'workflow_run.head_branch',
    workflow_job: 'workflow_job.head_branch',
  },
  conclusion: {
    workflow_run: 'workflow_run.conclusion',
    workflow_job: 'workflow_job.conclusion',
    check_suite: 'check_suite.conclusion',
    check_run: 'check_run.conclusion',
  },
} as const satisfies Record<string, Record<string, string>>
export type FilterName = keyof typeof FILTER_FIELDS

/** A dotted path into the payload (`pull_request.head.ref`, `commits.0.id`). */
const PAYLOAD_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/
const payloadPath = z
  .string()
  .regex(PAYLOAD_PATH, 'a payload field is a dotted path such as pull_request.head.ref')
const paramName = z
  .string()
  .regex(
    /^[A-Za-z0-9_]+$/,
    "a param name is letters, digits and underscores, as in the job's [name]",
  )
const patterns = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
const scalar = z.union([z.string(), z.number(), z.boolean()])

const githubTriggerSchema = z.strictObject({
  event: z
    .string()
    .regex(
      /^[a-z_]+$/,
      'an event is a GitHub event name such as pull_request, push, release, workflow_run',
    )
    .describe('the X-GitHub-Event it reacts to'),
  action: patterns.optional().describe('payload action(s), e.g. closed, published, completed'),
  merged: z
    .boolean()
    .optional()
    .describe('pull_request: true for merged pull requests, false for closed unmerged ones'),
  base_branch: patterns
    .optional()
    .describe(
      'pull_request: target branch glob(s); * stays within a path segment, ** crosses them',
    ),
  ref: patterns
    .optional()
    .describe(
      'glob(s) on the ref: push/create/delete `ref` (refs/heads/main, refs/tags/v*), release tag name, workflow_run/workflow_job head branch',
    ),
  conclusion: patterns
    .optional()
    .describe('workflow_run, workflow_job, check_suite, check_run: e.g. success'),
  where: z
    .record(payloadPath, z.union([scalar, z.array(scalar).min(1)]))
    .default({})
    .describe(
      'other payload fields that must equal a value (or one of a list), e.g. {workflow_run.name: CI}',
    ),
  namespace: z.string().min(1),
  job: z.string().min(1).describe('a job of that namespace'),
  params: z
    .record(paramName, payloadPath)
    .default({})
    .describe(
      'job placeholders filled from payload fields, e.g. {branch: pull_request.head.ref}; values are checked and shell-quoted',
    ),
  delay_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(0),
  channel: z
    .string()
    .min(1)
    .optional()
    .describe("where the run reports; default the namespace's default_channel"),
})

const githubProjectSchema = z.strictObject({
  secret_env: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'environment variable names are letters, digits and underscores',
    )
    .optional()
    .describe(
      "environment variable holding this project's webhook secret; default GITHUB_WEBHOOK_SECRET",
    ),
  allow_sha1: z
    .boolean()
    .default(false)
    .describe(
      'also accept the legacy SHA-1 X-Hub-Signature (only for senders that cannot send SHA-256)',
    ),
  body_limit: size
    .optional()
    .describe('largest body accepted (413 beyond); default github.body_limit'),
  triggers: z.array(githubTriggerSchema).default([]),
})

export const githubSchema = z.strictObject({
  body_limit: size
    .default(DEFAULT_BODY_LIMIT)
    .describe('largest webhook body accepted; default 5MiB'),
  replay_window: duration(
    'a body already accepted within this long is a duplicate, whatever its X-GitHub-Delivery says (a captured delivery sent again); default 7 days, the longest',
  ).default(7 * 24 * 3600),
  projects: z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
          'a project is one word of letters, digits, dots, hyphens and underscores',
        )
        .max(100),
      githubProjectSchema,
    )
    .default({})
    .describe('each project is served at POST /github/<project>'),
})
