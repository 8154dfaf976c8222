// The `metaflow` section of the config (zod): where Metaflow keeps its metadata and data, and the
// flows chat may start. Compiled in metaflow-config.ts; cross-checks in metaflow-rules.ts.
import { z } from 'zod'
import { allowSchema, approversSchema, duration, ENV_NAME, envVar } from './schema-parts.ts'

/** A Metaflow flow is a Python class; it also becomes an ebmbot job name, so no leading underscore. */
const FLOW_NAME = /^[A-Za-z][A-Za-z0-9_]*$/
/** `Parameter('<name>')`: the CLI option is `--<name>` exactly, so keep it a plain word. */
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/
const seconds = (help: string) => duration(help)

const paramSpec = z.strictObject({
  help: z.string().default('').describe('shown by `metaflow help`'),
  choices: z.array(z.string().min(1)).min(1).optional().describe('the only values chat may give'),
  default: z
    .string()
    .optional()
    .describe(
      "the flow's own default, shown by `params <Flow>` (the bot passes nothing when chat leaves it out)",
    ),
})

const metaflowFlowSchema = z.strictObject({
  file: z.string().min(1).describe('the flow file, relative to this config file'),
  description: z.string().default(''),
  python: z
    .string()
    .min(1)
    .optional()
    .describe("the Python that runs it (a venv's python, say); default metaflow.python"),
  workdir: z
    .string()
    .optional()
    .describe(
      "working directory for its runs, relative to this file; default the flow file's folder",
    ),
  params: z
    .union([
      z.array(z.string().regex(PARAM_NAME)),
      z.record(z.string().regex(PARAM_NAME), paramSpec),
    ])
    .default([])
    .describe('the Parameters chat may set (`run Flow name=value`); any other is refused'),
  timeout: seconds('seconds, or a duration such as "90s", "10m", "2h"')
    .optional()
    .describe('stop the run after this long; default settings.default_timeout'),
  env: z
    .array(envVar)
    .default([])
    .describe('extra environment variables its runs may see (allowlist)'),
  allow: allowSchema.optional().describe('who may run this flow, narrowing metaflow.allow'),
  confirm: z
    .boolean()
    .default(false)
    .describe('wait for the requester or an approver to approve before it starts'),
  approvers: approversSchema
    .optional()
    .describe('who besides the requester may approve; default metaflow.approvers'),
  confirm_timeout: seconds('seconds, or a duration such as "15m"')
    .optional()
    .describe('drop an unapproved request after this long; default settings.confirm_timeout'),
})

const serviceUrl = z
  .string()
  .describe('the Metaflow metadata service URL; default METAFLOW_SERVICE_URL')
  .superRefine((v, ctx) => {
    let url: URL
    try {
      url = new URL(v)
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a URL: ${JSON.stringify(v)}` })
      return
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      ctx.addIssue({
        code: 'custom',
        message: 'the metadata service URL must be http:// or https://',
      })
    // Flow commands carry the URL and `status` shows commands: credentials must come from auth_key_env.
    if (url.username || url.password)
      ctx.addIssue({
        code: 'custom',
        message:
          'put the service credentials in the variable named by auth_key_env, not in the URL',
      })
  })

export const metaflowSchema = z.strictObject({
  service_url: serviceUrl.optional(),
  auth_key_env: z
    .string()
    .regex(ENV_NAME, 'an environment variable name')
    .default('METAFLOW_SERVICE_AUTH_KEY')
    .describe(
      'the environment variable holding the service auth key (sent as x-api-key); never the key itself',
    ),
  datastore_sysroot: z
    .string()
    .optional()
    .describe(
      "the folder holding the local datastore's .metaflow, relative to this file; default METAFLOW_DATASTORE_SYSROOT_LOCAL",
    ),
  namespace: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9-]*$/,
      'the namespace must be one word of letters, digits and hyphens',
    )
    .max(40)
    .default('metaflow')
    .describe(
      'the namespace its flows run under as ebmbot jobs (`<namespace>_<Flow>`), shown by help and history',
    ),
  description: z.string().default('Metaflow runs: say `metaflow help`'),
  restricted: z.boolean().default(false).describe('Slack guests may not use the Metaflow commands'),
  allow: allowSchema
    .optional()
    .describe('who may use the Metaflow commands and where; absent means everyone'),
  approvers: approversSchema
    .optional()
    .describe('who may approve runs of confirm flows besides the requester'),
  python: z.string().min(1).default('python3').describe('default Python for the flows'),
  user: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'a user name of letters, digits, dots, hyphens and underscores')
    .default('ebmbot')
    .describe('METAFLOW_USER for runs started from chat (Metaflow refuses to run without a user)'),
  watch_interval: seconds('seconds, or a duration such as "5s"')
    .default(10)
    .describe('how often watched runs are checked'),
  flows: z
    .record(
      z.string().regex(FLOW_NAME, 'a flow name is its Python class name').max(40),
      metaflowFlowSchema,
    )
    .default({})
    .describe('flows chat may start with `run <Flow>`'),
})

export type MetaflowSection = z.output<typeof metaflowSchema>
