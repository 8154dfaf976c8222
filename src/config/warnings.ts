// Load-time warnings: a config that loads but probably does not do what was meant (a Python-style
// `{name}` placeholder left in a job, a command capturing a value its job never uses).
import { paramNames, parsePattern } from '../syntax/pattern.ts'
import { placeholders } from '../syntax/template.ts'
import type { ParsedConfig } from './schema.ts'

/** `{name}` as the Python ebmbot wrote placeholders; `${name}` is bash's own and not counted. */
const PY_PLACEHOLDER = /(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g

function pythonPlaceholders(run: string): string[] {
  return [...new Set([...run.matchAll(PY_PLACEHOLDER)].map((m) => m[1]!))]
}

export function configWarnings(config: ParsedConfig): string[] {
  const out: string[] = []
  for (const [nsName, ns] of Object.entries(config.namespaces)) {
    for (const [jobName, job] of Object.entries(ns.jobs)) {
      for (const p of pythonPlaceholders(job.run))
        out.push(
          `namespaces.${nsName}.jobs.${jobName}.run: {${p}} is passed to bash as written; placeholders are [${p}] now`,
        )
    }
    ns.commands.forEach((cmd, i) => {
      const job = ns.jobs[cmd.job]
      if (!job || cmd.action !== 'schedule_job') return
      const used = placeholders(job.run)
      for (const p of paramNames(parsePattern(cmd.pattern))) {
        if (!used.includes(p))
          out.push(
            `namespaces.${nsName}.commands[${i}].pattern: captures [${p}] but job ${cmd.job} never uses it, so what is typed there is dropped`,
          )
      }
    })
  }
  return out
}
