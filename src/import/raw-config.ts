// The shape of a Python ebmbot's raw_config, checked before mapping so that anything the original
// did not support is refused with the namespace and key it is at, not half converted.
import { z } from 'zod'
import { ImportError } from './import-error.ts'

const job = z.strictObject({
  run_args_template: z.string().min(1),
  report_stdout: z.boolean().optional(),
  report_format: z.enum(['text', 'code', 'blocks', 'file']).optional(),
  report_success: z.boolean().optional(),
})

const command = z.strictObject({
  command: z.string().min(1),
  // A tuple of strings here is a slip the original let through (it showed the tuple): joined.
  help: z.union([z.string(), z.array(z.string())]).optional(),
  action: z.enum(['schedule_job', 'cancel_job', 'schedule_suppression', 'cancel_suppression']),
  job_type: z.string().min(1),
  delay_seconds: z.number().int().min(0).optional(),
})

const namespace = z.strictObject({
  description: z.string().optional(),
  restricted: z.boolean().optional(),
  default_channel: z.string().optional(),
  fabfile: z.string().optional(),
  jobs: z.record(z.string(), job),
  slack: z.array(command).default([]),
})

const rawConfigSchema = z.record(z.string(), namespace)
export type RawConfig = z.output<typeof rawConfigSchema>
export type RawNamespace = RawConfig[string]
export type RawJob = RawNamespace['jobs'][string]
export type RawCommand = RawNamespace['slack'][number]

/** `raw_config["op"]["slack"][2]["action"]`, as the key is written in the Python file. */
const where = (path: PropertyKey[]) =>
  `raw_config${path.map((p) => (typeof p === 'number' ? `[${p}]` : `[${JSON.stringify(String(p))}]`)).join('')}`

export function checkRawConfig(raw: unknown): RawConfig {
  const r = rawConfigSchema.safeParse(raw)
  if (r.success) return r.data
  const lines = r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys')
      return `${where(i.path)}: ${i.keys.map((k) => JSON.stringify(k)).join(', ')} not known to the Python ebmbot, so not converted`
    const missing = i.code === 'invalid_type' && /received undefined/.test(i.message)
    return `${where(i.path)}: ${missing ? 'missing' : i.message}`
  })
  throw new ImportError(`cannot convert:\n${lines.join('\n')}`)
}
