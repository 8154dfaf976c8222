// The job configuration file's schema (zod): the single source for validation, types and the
// exported JSON Schema. Cross-field rules (commands naming jobs, params, ambiguity) are in rules.ts.
import { z } from 'zod'
import { paramsSchema } from './param-schema.ts'
import { githubSchema } from './github-schema.ts'
import { limitSettings, size } from './limits-schema.ts'
import { metaflowSchema } from './metaflow-schema.ts'
import { scheduleGraceSetting, scheduleSchema } from './schedule-schema.ts'
import { webSchema } from './web-schema.ts'
import {
  allowSchema,
  approversSchema,
  duration as duration_,
  envVar,
  jobName,
  name,
  runsOn,
} from './schema-parts.ts'

/** Built-in words a namespace may not take, or `help` and `status` would become ambiguous. */
/** The built-in out-of-office command's first word (`out-of-office from … to …`). */
export const AWAY_WORD = 'out-of-office'

export const RESERVED_WORDS = [
  'help',
  'status',
  'remove',
  'history',
  'logs',
  'cancel',
  'rerun',
  'quiet',
  'loud',
  'explain',
  'approve',
  'deny',
  'yes',
  'no',
  'inspect',
  'flows',
  'runs',
  'run',
  'watch',
  'out-of-office',
  'schedules',
  'skip',
  'pause',
  'resume',
]

const duration = duration_()

const REPORT_FORMATS = ['text', 'code', 'blocks', 'file'] as const
const REPORT_TO = ['thread', 'channel'] as const
const reportTo = z
  .enum(REPORT_TO)
  .optional()
  .describe(
    'where the report of a top-level command goes: thread (a thread under it, the default) or channel (top-level, as the Python ebmbot did); a command said in a thread is answered there either way',
  )
const ACTIONS = [
  'schedule_job',
  'cancel_job',
  'schedule_suppression',
  'cancel_suppression',
] as const

const jobSchema = z
  .strictObject({
    run: z
      .string()
      .min(1)
      .describe('bash command template; [param] placeholders are replaced by shell-quoted values'),
    description: z.string().optional().describe('shown in help and history'),
    timeout: duration
      .optional()
      .describe(
        'kill the job (whole process group) after this long; default settings.default_timeout',
      ),
    env: z
      .array(envVar)
      .default([])
      .describe('extra environment variables the job may see (allowlist)'),
    report_stdout: z.boolean().default(false).describe('post the job output when it succeeds'),
    report_success: z.boolean().default(true).describe('post a one-line success notice'),
    report_format: z
      .enum(REPORT_FORMATS)
      .default('text')
      .describe(
        'how the output is posted (with report_stdout): text, code (a code block), blocks (Block Kit JSON printed by the job) or file',
      ),
    report_to: reportTo.describe(
      "where the report goes (thread or channel); default the namespace's",
    ),
    callback: z
      .boolean()
      .default(false)
      .describe('give the job EBMBOT_CALLBACK_URL to post into its thread'),
    allow: allowSchema.optional().describe('who may run this job, narrowing the namespace rule'),
    confirm: z
      .union([z.boolean(), z.literal('approvers')])
      .default(false)
      .describe(
        'wait for Approve (or yes) before it starts: true, the requester or an approver; approvers, an approver other than the requester (two people)',
      ),
    approvers: approversSchema
      .optional()
      .describe('who besides the requester may approve; default the namespace approvers'),
    confirm_timeout: duration
      .optional()
      .describe('drop an unapproved request after this long; default settings.confirm_timeout'),
    progress: z
      .boolean()
      .default(true)
      .describe('edit the start message with elapsed time and the last output line while it runs'),
    max_output: size(
      'stop the job when its stdout and stderr together pass this; default settings.max_output',
    ).optional(),
    retry_on_lost: z
      .boolean()
      .default(false)
      .describe(
        'a run lost with its bot process (kill -9, a lost host) is queued again, once, as a new run: for jobs that are safe to run twice',
      ),
    runs_on: runsOn.describe(
      "several instances: only an instance with one of these tags (EBMBOT_INSTANCE_TAGS) runs it; default the namespace's, else any instance",
    ),
  })
  .superRefine((j, ctx) => {
    // Only the posted output has a format: without report_stdout the setting would silently do nothing.
    if (j.report_format !== 'text' && !j.report_stdout) {
      ctx.addIssue({
        code: 'custom',
        path: ['report_format'],
        message: `report_format ${j.report_format} shapes the posted output: set report_stdout: true too`,
      })
    }
  })

const commandSchema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .describe('words after the namespace; [name] captures one or more words'),
  help: z.string().default('').describe('one line shown by `<namespace> help`'),
  action: z.enum(ACTIONS).default('schedule_job').describe('what the command does with its job'),
  job: jobName().describe('the job (in this namespace) the command acts on'),
  delay_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(0)
    .describe('schedule the job this many seconds later'),
  params: paramsSchema,
  schedule: scheduleSchema.optional(),
})

const namespaceSchema = z.strictObject({
  description: z.string().default('').describe('shown in help'),
  restricted: z.boolean().default(false).describe('Slack guests may not use its commands'),
  runs_on: runsOn.describe(
    'several instances: its jobs run only on an instance with one of these tags (EBMBOT_INSTANCE_TAGS), unless a job says otherwise',
  ),
  default_channel: z
    .string()
    .optional()
    .describe('where webhook-triggered and scheduled runs and suppression notices report'),
  workdir: z
    .string()
    .optional()
    .describe('working directory for its jobs, relative to this file; created if missing'),
  report_to: reportTo,
  fetch: z
    .array(
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }).describe('http(s) URL downloaded before each run'),
        file: z
          .string()
          .regex(
            /^(?!\.)[A-Za-z0-9._-]+$/,
            'a file name in the working directory: letters, digits, dots, hyphens, underscores; no slashes, not starting with a dot',
          )
          .describe('where it is written in the working directory'),
      }),
    )
    .default([])
    .describe(
      'files refreshed into the working directory before each run (e.g. a fabfile); on failure the job runs with the copy already there',
    ),
  allow: allowSchema
    .optional()
    .describe(
      'who may use its commands and where; absent means everyone (guests still refused when restricted)',
    ),
  approvers: approversSchema
    .optional()
    .describe('who may approve its confirm jobs besides the requester'),
  jobs: z
    .record(jobName(), jobSchema)
    .default({})
    .describe('jobs by name; the job type is <namespace>_<job>'),
  commands: z.array(commandSchema).default([]).describe('chat commands: `<namespace> <pattern>`'),
})

/** A keyword in a channel message earns a reaction and a repost in the team's channel. */
const supportRoute = z.strictObject({
  keywords: z
    .array(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/i, 'a keyword is one word of letters, digits and hyphens'),
    )
    .min(1)
    .describe(
      'words that call this team: a separate word in any case, not inside a URL; refused at load if a built-in command or a namespace command holds it, since such messages are reposted, never run',
    ),
  reaction: z
    .string()
    .regex(/^[a-z0-9_+'-]+$/, 'an emoji name without colons, e.g. sos')
    .describe('emoji put on the message'),
  channel: z
    .string()
    .min(1)
    .optional()
    .describe('channel name or id to repost in; default the tech-support channel'),
})

export const settingsSchema = z.strictObject({
  max_parallel: z
    .union([z.number().int().min(1).max(256), z.literal('unlimited')])
    .default(4)
    .transform((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : v))
    .describe(
      'runs at once across job types (runs of one type never overlap); unlimited, as in the Python ebmbot, lets every due type start',
    ),
  trusted_bots: z
    .array(z.string().regex(/^[AB][A-Z0-9]+$/, 'a Slack bot id (B...) or app id (A...)'))
    .default([])
    .describe(
      'Slack bot ids (B...) or app ids (A..., e.g. a workflow) whose messages may run commands; messages from any other bot are ignored',
    ),
  default_timeout: duration.default(3600),
  kill_grace: duration.default(10).describe('time between SIGTERM and SIGKILL'),
  confirm_timeout: duration.default(900).describe('how long a confirm job waits for approval'),
  progress_interval: duration
    .default(5)
    .describe('at most one progress edit per message this often'),
  shutdown_grace: duration
    .default(30)
    .describe('on SIGTERM, how long running jobs may finish before they are stopped'),
  poll_interval: duration
    .default(5)
    .describe('fallback queue poll; enqueues wake the dispatcher at once'),
  instance_lease: duration
    .default(20)
    .describe(
      'several instances on one PostgreSQL database: each renews its lease every quarter of this; one that has not for this long is presumed dead, and a survivor reports its runs lost (or requeues retry_on_lost jobs) and sends its undelivered messages',
    ),
  logs_channel: z.string().optional().describe('start notices; default SLACK_LOGS_CHANNEL'),
  tech_support_channel: z
    .string()
    .optional()
    .describe('failure escalations; default SLACK_TECH_SUPPORT_CHANNEL'),
  support_routes: z
    .array(supportRoute)
    .default([{ keywords: ['tech-support'], reaction: 'sos' }])
    .describe(
      "Slack messages carrying a keyword are reacted to and reposted to the route's channel",
    ),
  commands_after_text: z
    .boolean()
    .default(false)
    .describe(
      'run a command that follows other text before the mention ("please @ebmbot op deploy"); off: only a message that starts with the mention runs, others are told how to ask',
    ),
  sweep_interval: duration
    .default(10)
    .describe(
      'with SLACK_BOT_USER_TOKEN: how often Slack search is asked for keyword messages the bot missed (one search per keyword each time)',
    ),
  ...scheduleGraceSetting,
  ...limitSettings,
})

export const configSchema = z.strictObject({
  settings: settingsSchema.default(settingsSchema.parse({})),
  namespaces: z
    .record(name('namespace'), namespaceSchema)
    .describe('groups of jobs and commands; every command starts with its namespace name'),
  metaflow: metaflowSchema
    .optional()
    .describe('Metaflow: where its metadata and data are, and the flows chat may run'),
  github: githubSchema
    .optional()
    .describe('GitHub webhooks: projects served at POST /github/<project> and their triggers'),
  web: webSchema
    .optional()
    .describe('the run pages at /web/: queue, history, run logs, and the Slack buttons'),
})

export type ParsedConfig = z.output<typeof configSchema>
export type Settings = z.output<typeof settingsSchema>
export type Action = (typeof ACTIONS)[number]
export type ReportFormat = (typeof REPORT_FORMATS)[number]
export type ReportTo = (typeof REPORT_TO)[number]

/** JSON Schema for editors (yaml-language-server); generated, so it cannot drift. */
export function jsonSchema(): unknown {
  return z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    // Durations are transformed, which hides their defaults from the input schema: put them back.
    override: (ctx) => {
      const def = (
        ctx.zodSchema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } }
      )._zod.def
      if (def.type === 'default' && ctx.jsonSchema.default === undefined)
        ctx.jsonSchema.default = def.defaultValue
    },
  })
}
