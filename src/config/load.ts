// Loads the YAML job configuration: parse with positions, validate with the schema, apply the
// cross-field rules, and resolve paths against the file's folder.
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import { parsePattern } from '../syntax/pattern.ts'
import { compileSchedule } from './schedule-compile.ts'
import { ConfigError, keyPath, type ConfigIssue } from './errors.ts'
import { knownValue, rememberText } from './known-texts.ts'
import { compileMetaflow } from './metaflow-config.ts'
import { checkRules } from './rules.ts'
import { configWarnings } from './warnings.ts'
import { configSchema, type ParsedConfig } from './schema.ts'
import { BRACKET_HINT, yamlIssues } from './yaml-errors.ts'
import {
  jobType,
  type Config,
  type GitHubConfig,
  type GitHubProject,
  type Namespace,
} from './types.ts'

export interface LoadOptions {
  /** relative paths in the file resolve against this folder (the file's own by default) */
  baseDir?: string
  /** the bot's state folder: jobs get their HOME and default working folders outside it */
  stateDir: string
}

export function loadConfigFile(file: string, opts: LoadOptions): Config {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the config file: ${(e as Error).message}` },
    ])
  }
  return loadConfigText(text, file, { ...opts, baseDir: opts.baseDir ?? dirname(resolve(file)) })
}

export function loadConfigText(text: string, source: string, opts: LoadOptions): Config {
  const value = knownValue(text, opts.stateDir)
  if (value !== undefined)
    try {
      return fromValue(value, source, opts, () => undefined)
    } catch (e) {
      // Refused now (the state folder moved, say): read again with lines for the messages.
      if (!(e instanceof ConfigError)) throw e
    }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true })
  // One syntax error makes the parser trip over everything after it: the first few say enough.
  if (doc.errors.length) throw new ConfigError(source, yamlIssues(text, doc.errors, lines))
  const lineOf = (path: readonly PropertyKey[], key?: string) => findLine(doc, lines, path, key)
  const read = doc.toJS() ?? {}
  const config = fromValue(read, source, opts, lineOf)
  rememberText(text, read, opts.stateDir)
  return config
}

/** The config from the YAML's value: validated, checked against the rules, compiled. */
function fromValue(
  value: unknown,
  source: string,
  opts: LoadOptions,
  lineOf: (path: readonly PropertyKey[], key?: string) => number | undefined,
): Config {
  const parsed = configSchema.safeParse(value ?? {})
  if (!parsed.success)
    throw new ConfigError(
      source,
      parsed.error.issues.flatMap((i) => toIssues(i, lineOf)),
    )
  const ruleIssues = checkRules(parsed.data).map((r) => ({
    path: keyPath(r.path),
    line: lineOf(r.path),
    message: r.message,
  }))
  if (ruleIssues.length) throw new ConfigError(source, ruleIssues)
  const jobsDir = jobsFolder(parsed.data, opts)
  if (within(jobsDir, resolve(opts.stateDir)))
    throw new ConfigError(source, [
      {
        path: 'settings.jobs_dir',
        line: lineOf(['settings', 'jobs_dir']),
        message: `${jobsDir} is inside the state folder ${resolve(opts.stateDir)}: jobs would reach the bot's database; choose a folder outside it`,
      },
    ])
  const warnings = configWarnings(parsed.data)
  return {
    ...compile(parsed.data, source, { ...opts, jobsDir }),
    ...(warnings.length ? { warnings } : {}),
  }
}

function toIssues(
  issue: z.core.$ZodIssue,
  lineOf: (p: readonly PropertyKey[], key?: string) => number | undefined,
): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      path: keyPath([...issue.path, k]),
      line: lineOf(issue.path, k),
      message: 'unknown key (check the spelling; see docs/config.schema.json for the allowed keys)',
    }))
  }
  if (issue.code === 'invalid_key') {
    // A bad record key (namespace or job name): point at the key itself, with the key rule's message.
    const key = String(issue.path.at(-1))
    return [
      {
        path: keyPath(issue.path),
        line: lineOf(issue.path.slice(0, -1), key),
        message: issue.issues[0]?.message ?? issue.message,
      },
    ]
  }
  let message = issue.message
  if (issue.code === 'invalid_type' && /received undefined/.test(message))
    message = 'missing required key'
  else if (
    issue.code === 'invalid_type' &&
    /expected string, received (array|object)/.test(message)
  )
    message += `; ${BRACKET_HINT}`
  return [{ path: keyPath(issue.path), line: lineOf(issue.path), message }]
}

/**
 * Line of the key at `path` (its `key:` line, which is where people look), or of the node itself
 * inside a list. With `key`, the line of that key inside the map at `path`. A path that goes
 * beyond the document (a missing key) is reported at the deepest part that exists.
 */
function findLine(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): number | undefined {
  const full = key === undefined ? path : [...path, key]
  for (let n = full.length; n >= 0; n--) {
    const parent = n <= 1 ? doc.contents : doc.getIn(full.slice(0, n - 1) as unknown[], true)
    if (n > 0 && isMap(parent)) {
      const pair = parent.items.find(
        (p) => isPair(p) && isScalar(p.key) && p.key.value === full[n - 1],
      )
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined
      if (range) return lines.linePos(range[0]).line
      continue
    }
    const node = n === 0 ? doc.contents : doc.getIn(full.slice(0, n) as unknown[], true)
    const range = (node as { range?: [number, number, number] } | null)?.range
    if (range) return lines.linePos(range[0]).line
  }
  return undefined
}

/** Jobs' HOME: settings.jobs_dir, else a folder beside the state folder (`<state>-jobs`). */
function jobsFolder(data: ParsedConfig, opts: LoadOptions): string {
  const base = opts.baseDir ?? process.cwd()
  const set = data.settings.jobs_dir
  return set ? resolve(base, set) : `${resolve(opts.stateDir)}-jobs`
}

const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`)

function compile(
  data: ParsedConfig,
  source: string,
  opts: LoadOptions & { jobsDir: string },
): Config {
  const base = opts.baseDir ?? process.cwd()
  const namespaces: Record<string, Namespace> = {}
  for (const [name, ns] of Object.entries(data.namespaces)) {
    const workdir = ns.workdir
      ? isAbsolute(ns.workdir)
        ? ns.workdir
        : resolve(base, ns.workdir)
      : join(opts.jobsDir, 'workspace', name)
    namespaces[name] = {
      name,
      description: ns.description,
      restricted: ns.restricted,
      defaultChannel: ns.default_channel,
      allow: ns.allow,
      approvers: ns.approvers,
      workdir,
      fetch: ns.fetch,
      jobs: Object.fromEntries(
        Object.entries(ns.jobs).map(([jobName, j]) => [
          jobName,
          {
            name: jobName,
            namespace: name,
            type: jobType(name, jobName),
            run: j.run,
            description: j.description,
            timeoutSeconds: j.timeout ?? data.settings.default_timeout,
            env: j.env.map((e) => (typeof e === 'string' ? { name: e, secret: false } : e)),
            reportStdout: j.report_stdout,
            reportSuccess: j.report_success,
            reportFormat: j.report_format,
            reportTo: j.report_to ?? ns.report_to ?? 'thread',
            callback: j.callback,
            allow: j.allow,
            confirm: j.confirm !== false,
            twoPerson: j.confirm === 'approvers',
            approvers: j.approvers ?? ns.approvers,
            confirmTimeoutSeconds: j.confirm_timeout ?? data.settings.confirm_timeout,
            progress: j.progress,
            maxOutputBytes: j.max_output ?? data.settings.max_output,
            retryOnLost: j.retry_on_lost,
            ...(j.runs_on || ns.runs_on ? { runsOn: j.runs_on ?? ns.runs_on } : {}),
          },
        ]),
      ),
      commands: ns.commands.map((c) => ({
        namespace: name,
        pattern: c.pattern.trim().replace(/\s+/g, ' '),
        tokens: parsePattern(c.pattern),
        help: c.help,
        action: c.action,
        job: c.job,
        delaySeconds: c.delay_seconds,
        params: c.params,
        ...(c.schedule ? { schedule: compileSchedule(name, ns, c, data.settings) } : {}),
      })),
    }
  }
  // The flows become one more namespace of jobs, so the queue and dispatcher treat them like any job.
  const metaflow = data.metaflow ? compileMetaflow(data.metaflow, base, data.settings) : undefined
  if (metaflow) namespaces[metaflow.namespace.name] = metaflow.namespace
  return {
    source,
    settings: data.settings,
    jobsDir: opts.jobsDir,
    namespaces,
    ...(data.github ? { github: compileGithub(data.github, namespaces) } : {}),
    ...(metaflow ? { metaflow: metaflow.metaflow } : {}),
    ...(data.web ? { web: data.web } : {}),
  }
}

function compileGithub(
  gh: NonNullable<ParsedConfig['github']>,
  namespaces: Record<string, Namespace>,
): GitHubConfig {
  const projects: Record<string, GitHubProject> = {}
  for (const [name, p] of Object.entries(gh.projects)) {
    projects[name] = {
      name,
      secretEnv: p.secret_env,
      allowSha1: p.allow_sha1,
      bodyLimit: p.body_limit ?? gh.body_limit,
      replayWindowMs: gh.replay_window * 1000,
      triggers: p.triggers.map((t, index) => ({
        index,
        event: t.event,
        action: t.action,
        merged: t.merged,
        baseBranch: t.base_branch,
        ref: t.ref,
        conclusion: t.conclusion,
        where: Object.fromEntries(
          Object.entries(t.where).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
        ),
        namespace: t.namespace,
        job: t.job,
        jobType: jobType(t.namespace, t.job),
        params: t.params,
        delaySeconds: t.delay_seconds,
        // The rules guarantee one of the two exists.
        channel: t.channel ?? namespaces[t.namespace]!.defaultChannel!,
      })),
    }
  }
  return { projects }
}
