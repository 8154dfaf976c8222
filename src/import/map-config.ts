// A Python ebmbot's raw_config as this bot's YAML config: namespaces, jobs, commands, fabfiles,
// working folders, the environment jobs had, report placement and parallelism as the original
// had them, with a remark wherever a choice was made. Pure: the workspace is described by facts.
import { dirname } from 'node:path'
import { parsePattern, patternsAmbiguous } from '../syntax/pattern.ts'
import { placeholders } from '../syntax/template.ts'
import { RESERVED_WORDS } from '../config/schema.ts'
import { JOB_NAME, NAME } from '../config/schema-parts.ts'
import { jobEnv, mapJob, type MappedJob } from './map-job.ts'
import type { RawCommand, RawConfig, RawNamespace } from './raw-config.ts'
import { ImportError } from './import-error.ts'
import type { WorkspaceFacts } from './workspace-facts.ts'
import type { Remark } from './yaml-out.ts'

export interface Mapped {
  config: {
    settings: Record<string, unknown>
    namespaces: Record<string, Record<string, unknown>>
  }
  remarks: Remark[]
  /** what a person should look at, one line each (printed to stderr) */
  notes: string[]
}

/** The original's `techsupport ooo …` jobs wrote a file its listener read; the built-in replaces them. */
const isOutOfOffice = (ns: string, c: RawCommand) =>
  ns === 'techsupport' && /^ooo\b/.test(c.command)

export function mapConfig(raw: RawConfig, facts: WorkspaceFacts): Mapped {
  const remarks: Remark[] = []
  const notes: string[] = []
  const remark = (path: (string | number)[], text: string) => remarks.push({ path, text })
  const settings = { max_parallel: 'unlimited' }
  remark(
    ['settings', 'max_parallel'],
    'The Python ebmbot started every due job type at once; a number caps the runs at once.\nJobs now stop after settings.default_timeout (1 hour) unless they set timeout:; the original never stopped one.',
  )
  const namespaces: Record<string, Record<string, unknown>> = {}
  for (const [name, ns] of Object.entries(raw)) {
    namespaces[name] = mapNamespace(
      name,
      ns,
      facts,
      (p, t) => remark(['namespaces', name, ...p], t),
      notes,
    )
  }
  const passed = new Set<string>()
  for (const ns of Object.values(namespaces))
    for (const job of Object.values(ns.jobs as Record<string, MappedJob>))
      for (const e of job.env ?? [])
        if (typeof e === 'string' || e.value === undefined)
          passed.add(typeof e === 'string' ? e : e.name)
  if (passed.size)
    notes.push(
      `jobs are handed these variables from the service's environment (/etc/ebmbot/ebmbot.env), as the Python bot had them: ${[...passed].sort().join(', ')}`,
    )
  if (!facts.dir)
    notes.push(
      'no --workspace given: jobs run in <state>/workspace/<namespace> and get no PYTHONPATH; pass the Python bot’s workspace folder to keep its scripts and modules',
    )
  return { config: { settings, namespaces }, remarks, notes }
}

function mapNamespace(
  name: string,
  ns: RawNamespace,
  facts: WorkspaceFacts,
  remark: (path: (string | number)[], text: string) => void,
  notes: string[],
): Record<string, unknown> {
  const where = `raw_config[${JSON.stringify(name)}]`
  if (!NAME.test(name))
    throw new ImportError(
      `${where}: namespace names are letters, digits and hyphens (the original refused underscores too)`,
    )
  if (RESERVED_WORDS.includes(name.toLowerCase()))
    throw new ImportError(
      `${where}: "${name}" is a built-in command word of this bot; rename the namespace in the Python file first`,
    )
  const out: Record<string, unknown> = {}
  if (ns.description) out.description = ns.description
  if (ns.restricted) out.restricted = true
  out.default_channel = ns.default_channel ?? '#tech'
  if (!ns.default_channel) remark(['default_channel'], "the Python ebmbot's default channel")
  out.report_to = 'channel'
  remark(
    ['report_to'],
    'As in the Python ebmbot: a top-level command is reported top-level (thread: in a thread under it).',
  )
  const inWorkspace = facts.dir !== undefined && facts.folders.has(name)
  if (inWorkspace) {
    out.workdir = `${facts.dir}/${name}`
    remark(['workdir'], 'its folder in the Python bot’s workspace, where the original ran it')
  }
  if (ns.fabfile) {
    if (!/^https?:\/\//.test(ns.fabfile))
      throw new ImportError(`${where}["fabfile"]: not an http(s) URL: ${ns.fabfile}`)
    out.fetch = [{ url: ns.fabfile, file: 'fabfile.py' }]
    remark(['fetch'], 'the fabfile, fetched before each run as the original did')
  }

  const commands = ns.slack.filter((c) => !isOutOfOffice(name, c))
  const dropped = ns.slack.filter((c) => isOutOfOffice(name, c))
  const usedByDropped = new Set(dropped.map((c) => c.job_type))
  const stillUsed = new Set(commands.map((c) => c.job_type))

  const env = inWorkspace
    ? jobEnv({
        pythonPath: `${facts.dir}:${dirname(facts.dir!)}`,
        reads: [...(facts.env[name] ?? []), ...facts.shared],
        settings: facts.settingsUsers.has(name) ? facts.settingsEnv : [],
      })
    : []
  const jobs: Record<string, MappedJob> = {}
  for (const [jobName, job] of Object.entries(ns.jobs)) {
    if (usedByDropped.has(jobName) && !stillUsed.has(jobName)) continue
    const jw = `${where}["jobs"][${JSON.stringify(jobName)}]`
    if (!JOB_NAME.test(jobName) || jobName.length > 60)
      throw new ImportError(`${jw}: job names are letters, digits, hyphens and underscores`)
    jobs[jobName] = mapJob(job, jw, env)
  }
  out.jobs = jobs
  const first = Object.keys(jobs)[0]
  if (first && inWorkspace)
    remark(
      ['jobs'],
      'The Python ebmbot gave jobs its whole environment and PYTHONPATH=<workspace>; here each job gets\nPYTHONPATH (the workspace, and the checkout holding it) and the variables its scripts read.',
    )
  else if (first)
    remark(
      ['jobs'],
      "The Python ebmbot gave jobs its whole environment; list under a job's env: what it needs.",
    )
  if (name === 'showlogs') {
    // Its jobs read whatever path a user types; the built-in reads only a run's own files.
    remark(
      ['commands'],
      "The built-in `logs N [stderr]` shows a run's own logs; these commands read any path typed.",
    )
    notes.push(
      'showlogs: its commands read paths users type; the built-in `logs N` replaces them (consider removing the namespace)',
    )
  }
  if (facts.settingsUsers.has(name) && inWorkspace)
    notes.push(
      `${name}: its scripts import the Python bot's settings module; it gets the variables that module reads (the bot's tokens as empty values)`,
    )

  out.commands = commands.map((c, i) =>
    mapCommand(c, `${where}["slack"][${ns.slack.indexOf(c)}]`, jobs, i, remark),
  )
  if (dropped.length) {
    remark(
      ['commands'],
      `Replaced by the built-in out-of-office (say \`out-of-office from [YYYY-MM-DD] to [YYYY-MM-DD]\`, \`out-of-office off\`, \`out-of-office\`):\n${dropped.map((c) => `  ${name} ${c.command}`).join('\n')}`,
    )
    notes.push(
      `${name}: ${dropped.map((c) => `"${c.command}"`).join(', ')} replaced by the built-in out-of-office command; dates set with the old ones (WRITEABLE_DIR/techsupport_ooo.json) are not carried: set them again`,
    )
  }
  checkAmbiguity(name, commands)
  return out
}

function mapCommand(
  c: RawCommand,
  where: string,
  jobs: Record<string, MappedJob>,
  index: number,
  remark: (path: (string | number)[], text: string) => void,
): Record<string, unknown> {
  const job = jobs[c.job_type]
  if (!job) throw new ImportError(`${where}["job_type"]: no job "${c.job_type}" in this namespace`)
  const captured = parsePattern(c.command).flatMap((t) => (t.kind === 'param' ? [t.name] : []))
  if (c.action === 'schedule_job') {
    const needed = placeholders(job.run)
    const missing = needed.find((p) => !captured.includes(p))
    if (missing)
      throw new ImportError(
        `${where}: job ${c.job_type} uses {${missing}} but the command does not capture [${missing}] (the original failed at run time)`,
      )
  }
  const out: Record<string, unknown> = { pattern: c.command }
  const help = Array.isArray(c.help) ? c.help.join(' ') : (c.help ?? '')
  if (help) out.help = help
  if (Array.isArray(c.help)) remark(['commands', index], 'its help was a tuple of strings: joined')
  if (c.action !== 'schedule_job') out.action = c.action
  out.job = c.job_type
  if (c.delay_seconds) out.delay_seconds = c.delay_seconds
  return out
}

/** The original took the first match in alphabetical order; only literal-over-placeholder survives. */
function checkAmbiguity(ns: string, commands: RawCommand[]) {
  const tokens = commands.map((c) => parsePattern(c.command))
  tokens.forEach((t, i) => {
    for (let j = 0; j < i; j++)
      if (patternsAmbiguous(tokens[j]!, t))
        throw new ImportError(
          `raw_config[${JSON.stringify(ns)}]: "${commands[j]!.command}" and "${commands[i]!.command}" can match the same text and neither has a literal word where the other has a placeholder; make them differ by a literal word in the Python file first`,
        )
  })
}
