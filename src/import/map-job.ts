// One Python ebmbot job as a job of this bot: its `{name}` template as a `[name]` one, its report
// options, and the environment the original gave it (PYTHONPATH, the variables its scripts
// read). Pure.
import { placeholders, quotedPlaceholders } from '../syntax/template.ts'
import { SECRET_VARS } from '../config/env.ts'
import type { RawJob } from './raw-config.ts'
import { ImportError } from './import-error.ts'
import { looksSecret } from './script-env.ts'

export type EnvEntry = string | { name: string; secret?: boolean; value?: string }

export interface MappedJob {
  run: string
  report_stdout?: true
  report_success?: false
  report_format?: string
  env?: EnvEntry[]
}

/**
 * `str.format` fields become placeholders: `{name}` → `[name]`, `{{`/`}}` → literal braces. The
 * original quoted each value with shlex.quote, as this bot does, so the command line is the same.
 */
export function convertTemplate(template: string, where: string): string {
  const existing = placeholders(template)
  if (existing.length)
    throw new ImportError(
      `${where}: [${existing[0]}] in the command would become a placeholder here; rewrite it (e.g. quote it) in the Python file first`,
    )
  let out = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    const pair = template.slice(i, i + 2)
    if (pair === '{{' || pair === '}}') {
      out += c
      i++
      continue
    }
    if (c === '}') throw new ImportError(`${where}: a single "}" is not valid in str.format`)
    if (c !== '{') {
      out += c
      continue
    }
    const end = template.indexOf('}', i)
    const field = end < 0 ? template.slice(i) : template.slice(i + 1, end)
    if (end < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field))
      throw new ImportError(
        `${where}: the field {${field}} is not a plain {name}, which is all the Python ebmbot filled in`,
      )
    out += `[${field}]`
    i = end
  }
  const quoted = quotedPlaceholders(out)
  if (quoted.length)
    throw new ImportError(
      `${where}: {${quoted[0]}} is inside quotes; the value is quoted for the shell already, so write it bare`,
    )
  return out
}

export interface JobEnvFacts {
  /** PYTHONPATH as the original set it (the workspace, and the checkout holding it) */
  pythonPath?: string
  /** variables the namespace's scripts read */
  reads: string[]
  /** variables the Python bot's settings module needs when a script imports it */
  settings: string[]
}

export function jobEnv(facts: JobEnvFacts): EnvEntry[] {
  const env: EnvEntry[] = []
  const seen = new Set<string>()
  const add = (e: EnvEntry) => {
    const name = typeof e === 'string' ? e : e.name
    if (!seen.has(name)) env.push(e)
    seen.add(name)
  }
  if (facts.pythonPath) add({ name: 'PYTHONPATH', value: facts.pythonPath })
  // The bot's own credentials never reach a job: the settings module gets them empty.
  for (const n of facts.settings) if (SECRET_VARS.includes(n)) add({ name: n, value: '' })
  for (const n of [...facts.reads, ...facts.settings])
    add(looksSecret(n) ? { name: n, secret: true } : n)
  return env
}

export function mapJob(job: RawJob, where: string, env: EnvEntry[]): MappedJob {
  const out: MappedJob = {
    run: convertTemplate(job.run_args_template, `${where}.run_args_template`),
  }
  if (job.report_stdout) out.report_stdout = true
  if (job.report_success === false) out.report_success = false
  // Only posted output has a format; the original ignored the setting without report_stdout.
  if (job.report_stdout && job.report_format && job.report_format !== 'text')
    out.report_format = job.report_format
  if (env.length) out.env = env
  return out
}
