// Test fixtures for Metaflow: a plain model of flows/runs/steps/tasks/attempts, written as a real local datastore tree with python3-made pickles.
import { createHash, randomUUID } from 'node:crypto'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

type LogFixtureLine = string | { at: number; text: string; source?: 'runtime' | 'task' }

export interface AttemptFixture {
  /** ms */
  startedAt: number
  /** ms; leave out while the attempt runs */
  endedAt?: number
  /** attempt_ok; leave out for no outcome (running, or killed) */
  ok?: boolean
  /** name → Python expression, pickled by python3 */
  artifacts?: Record<string, string>
  stdout?: LogFixtureLine[]
  stderr?: LogFixtureLine[]
  /** the local runtime killed this attempt (`<n>.runtime` says so; no outcome) */
  killed?: boolean
  /** pickle protocol for this attempt's artifacts; default 4 */
  protocol?: number
  /** what a failed attempt raised, as a Python expression (default `RuntimeError('step failed')`) */
  exception?: string
}

interface TaskFixture {
  id: string
  attempts: AttemptFixture[]
  /** epoch seconds (service only) */
  heartbeat?: number | null
}

interface StepFixture {
  name: string
  tasks: TaskFixture[]
}

export interface RunFixture {
  id: string
  user: string
  /** ms */
  createdAt: number
  tags?: string[]
  /** epoch seconds (service only); default: null */
  heartbeat?: number | null
  /** parameter name → Python expression; stored in the `_parameters` task as Metaflow does */
  params?: Record<string, string>
  endStep?: string
  steps: StepFixture[]
}

export interface FlowFixture {
  name: string
  createdAt: number
  runs: RunFixture[]
}

export interface Pickled {
  bytes: Uint8Array
  sha: string
  type: string
  size: number
}

const METAFLOW_VERSION = '2.19.38'

export function systemTags(user: string): string[] {
  return [
    'runtime:dev',
    `metaflow_version:${METAFLOW_VERSION}`,
    `user:${user}`,
    'python_version:3.11.7',
  ]
}

/** An attempt that ran from `startedAt` for `seconds` and ended with `ok`. */
export function attempt(
  startedAt: number,
  ok: boolean | undefined,
  more: Partial<AttemptFixture> & { seconds?: number } = {},
): AttemptFixture {
  const { seconds = 2, ...rest } = more
  return {
    startedAt,
    ...(ok === undefined ? {} : { ok, endedAt: startedAt + seconds * 1000 }),
    ...rest,
  }
}

/** A linear run whose steps each have one task with one attempt; `failAt` fails that step and stops. */
export function linearRun(
  r: Omit<RunFixture, 'steps'> & {
    steps?: string[]
    failAt?: string
    runningAt?: string
    firstTaskId?: number
  },
): RunFixture {
  const { steps = ['start', 'end'], failAt, runningAt, firstTaskId = 1, ...run } = r
  const out: StepFixture[] = []
  let t = run.createdAt + 1000
  for (const [i, name] of steps.entries()) {
    const ok = name === runningAt ? undefined : name !== failAt
    out.push({
      name,
      tasks: [
        {
          id: String(firstTaskId + i),
          attempts: [attempt(t, ok, { stdout: [`${name} says hello`] })],
        },
      ],
    })
    t += 3000
    if (name === failAt || name === runningAt) break
  }
  return { ...run, steps: out }
}

// ---- pickles --------------------------------------------------------------------------------

const pickleCache = new Map<string, Pickled>()

/** Pickles Python expressions with the real python3 (standard library only), one process for all. */
export function pickleAll(items: ReadonlyArray<{ expr: string; protocol?: number }>): Pickled[] {
  const key = (e: { expr: string; protocol?: number }) => `${e.protocol ?? 4}\u0000${e.expr}`
  const missing = [
    ...new Map(items.filter((i) => !pickleCache.has(key(i))).map((i) => [key(i), i])).values(),
  ]
  if (missing.length) {
    const script = [
      'import json, sys, pickle, base64, datetime, decimal, collections, fractions',
      EXCEPTION_WRAPPER_PY,
      'out = []',
      'for expr, proto in json.load(sys.stdin):',
      '    v = eval(expr)',
      '    b = pickle.dumps(v, protocol=proto)',
      '    out.append({"b64": base64.b64encode(b).decode(), "type": str(type(v))})',
      'json.dump(out, sys.stdout)',
    ].join('\n')
    const proc = Bun.spawnSync(['python3', '-c', script], {
      stdin: new TextEncoder().encode(
        JSON.stringify(missing.map((m) => [m.expr, m.protocol ?? 4])),
      ),
    })
    if (proc.exitCode !== 0) throw new Error(`python3 failed: ${proc.stderr.toString()}`)
    const results = JSON.parse(proc.stdout.toString()) as Array<{ b64: string; type: string }>
    missing.forEach((m, i) => {
      const bytes = Buffer.from(results[i]!.b64, 'base64')
      pickleCache.set(key(m), {
        bytes,
        sha: createHash('sha1').update(bytes).digest('hex'),
        type: results[i]!.type,
        size: bytes.length,
      })
    })
  }
  return items.map((i) => pickleCache.get(key(i))!)
}

/**
 * Metaflow's `metaflow.exception.MetaflowExceptionWrapper` (metaflow/exception.py), defined under
 * that module name so that `raised(ValueError('x'))` pickles exactly as a failed task's
 * `_exception` does: the class, `(None,)`, then its `__dict__` of type, exception and stacktrace.
 */
export const EXCEPTION_WRAPPER_PY = String.raw`
import types as _types, traceback as _traceback
_mf = _types.ModuleType('metaflow'); _mfe = _types.ModuleType('metaflow.exception')
_mf.exception = _mfe; sys.modules['metaflow'] = _mf; sys.modules['metaflow.exception'] = _mfe
class MetaflowExceptionWrapper(Exception):
    def __init__(self, exc=None):
        if exc is not None:
            self.exception = str(exc)
            self.type = '%s.%s' % (exc.__class__.__module__, exc.__class__.__name__)
            self.stacktrace = _traceback.format_exc() if sys.exc_info()[0] is not None else None
    def __reduce__(self):
        return MetaflowExceptionWrapper, (None,), self.__dict__
    def __getstate__(self):
        return self.__dict__
    def __setstate__(self, state):
        self.__dict__ = state
MetaflowExceptionWrapper.__module__ = 'metaflow.exception'
_mfe.MetaflowExceptionWrapper = MetaflowExceptionWrapper
def raised(exc):
    try:
        raise exc
    except Exception as e:
        return MetaflowExceptionWrapper(e)
`

export function pickleOne(expr: string, protocol = 4): Pickled {
  return pickleAll([{ expr, protocol }])[0]!
}

// ---- the model, flattened -------------------------------------------------------------------

export interface ArtifactPlan {
  name: string
  pickled: Pickled
  attempt: number
  at: number
}
interface MetadataPlan {
  field_name: string
  value: string
  type: string
  tags: string[]
  ts_epoch: number
}
export interface TaskPlan {
  flow: FlowFixture
  run: RunFixture
  step: string
  task: TaskFixture
  /** ms: task creation */
  createdAt: number
  metadata: MetadataPlan[]
  artifacts: ArtifactPlan[]
}

/** The `_parameters` step every real run has, holding the parameters and the graph's end points. */
function withParametersStep(run: RunFixture, flow: FlowFixture): StepFixture[] {
  const artifacts: Record<string, string> = {
    name: JSON.stringify(flow.name),
    script_name: "'flow.py'",
    ...(run.params ?? {}),
  }
  const params: StepFixture = {
    name: '_parameters',
    tasks: [
      { id: '0', attempts: [attempt(run.createdAt + 100, true, { seconds: 0.5, artifacts })] },
    ],
  }
  return [params, ...run.steps]
}

/** The artifacts (as Python expressions) a finished attempt leaves behind. */
function artifactExprs(a: AttemptFixture, step: string): Record<string, string> {
  const ok = a.ok ? 'True' : 'False'
  return {
    ...(a.artifacts ?? {}),
    _task_ok: ok,
    _success: ok,
    _exception: a.ok ? 'None' : `raised(${a.exception ?? "RuntimeError('step failed')"})`,
    _current_step: JSON.stringify(step),
    _foreach_stack: '[]',
  }
}

/** Every task with the metadata items and artifacts Metaflow would record for it. */
export function planTasks(flows: readonly FlowFixture[], dsRoot: string): TaskPlan[] {
  // One python3 for every artifact of every run: a start each is seconds on a loaded machine.
  pickleAll(
    flows.flatMap((flow) =>
      flow.runs.flatMap((run) =>
        withParametersStep(run, flow).flatMap((step) =>
          step.tasks.flatMap((task) =>
            task.attempts
              .filter((a) => a.ok !== undefined && a.endedAt !== undefined)
              .flatMap((a) =>
                Object.values(artifactExprs(a, step.name)).map((expr) => ({
                  expr,
                  protocol: a.protocol ?? 4,
                })),
              ),
          ),
        ),
      ),
    ),
  )
  const plans: TaskPlan[] = []
  for (const flow of flows) {
    for (const run of flow.runs) {
      for (const step of withParametersStep(run, flow)) {
        for (const task of step.tasks) {
          const createdAt = task.attempts[0]?.startedAt ?? run.createdAt
          const metadata: MetadataPlan[] = []
          const add = (
            field_name: string,
            value: string,
            ts: number,
            n: number | null,
            type = field_name,
          ) =>
            metadata.push({
              field_name,
              value,
              type,
              tags: n === null ? [] : [`attempt_id:${n}`],
              ts_epoch: ts,
            })
          for (const [f, v] of [
            ['user', run.user],
            ['runtime', 'dev'],
            ['python_version', '3.11.7'],
            ['metaflow_version', METAFLOW_VERSION],
            ['script-name', 'flow.py'],
          ])
            add(f!, v!, createdAt - 50, null)
          if (step.name === '_parameters') {
            add('start_step', 'start', createdAt - 40, null, 'graph_structure')
            add('end_step', run.endStep ?? 'end', createdAt - 40, null, 'graph_structure')
          }
          const artifacts: ArtifactPlan[] = []
          task.attempts.forEach((a, n) => {
            add('attempt', String(n), a.startedAt, n, 'attempt')
            add('ds-type', 'local', a.startedAt + 1, n)
            add('ds-root', dsRoot, a.startedAt + 2, n)
            add('origin-run-id', 'None', a.startedAt + 3, n)
            if (a.ok === undefined || a.endedAt === undefined) return
            add('attempt_ok', a.ok ? 'True' : 'False', a.endedAt, n, 'internal_attempt_status')
            add('attempt-done', String(n), a.endedAt + 5, n, 'attempt-done')
            const exprs = artifactExprs(a, step.name)
            const names = Object.keys(exprs)
            const pickled = pickleAll(
              names.map((k) => ({ expr: exprs[k]!, protocol: a.protocol ?? 4 })),
            )
            names.forEach((name, i) =>
              artifacts.push({ name, pickled: pickled[i]!, attempt: n, at: a.endedAt! - 10 }),
            )
          })
          plans.push({ flow, run, step: step.name, task, createdAt, metadata, artifacts })
        }
      }
    }
  }
  return plans
}

// ---- the local datastore tree ---------------------------------------------------------------

export interface LocalTreeOptions {
  /** write `_meta` metadata (local metadata provider); false mimics a run recorded by the service */
  metadata?: boolean
}

export async function makeTempSysroot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ebmbot-metaflow-'))
}

/** Writes `<sysroot>/.metaflow/...` as Metaflow 2.19 does; returns the `.metaflow` root. */
export async function writeLocalDatastore(
  sysroot: string,
  flows: readonly FlowFixture[],
  options: LocalTreeOptions = {},
): Promise<string> {
  const root = join(sysroot, '.metaflow')
  const withMeta = options.metadata ?? true
  const put = async (path: string, content: string | Uint8Array, mode = 0o600) => {
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, content)
    await chmod(path, mode)
  }
  const json = (o: unknown) => JSON.stringify(o)
  for (const flow of flows) {
    const flowDir = join(root, flow.name)
    if (withMeta)
      await put(
        join(flowDir, '_meta', '_self.json'),
        json({ flow_id: flow.name, ts_epoch: flow.createdAt }),
      )
    const newest = [...flow.runs].sort((a, b) => b.createdAt - a.createdAt)[0]
    if (newest) await put(join(flowDir, 'latest_run'), newest.id, 0o644)
    for (const run of flow.runs) {
      const base = {
        flow_id: flow.name,
        run_number: run.id,
        user_name: run.user,
        tags: run.tags ?? [],
        system_tags: systemTags(run.user),
      }
      if (withMeta)
        await put(
          join(flowDir, run.id, '_meta', '_self.json'),
          json({ ...base, ts_epoch: run.createdAt }),
        )
    }
  }
  const seenSteps = new Set<string>()
  for (const p of planTasks(flows, root)) {
    const { flow, run } = p
    const base = {
      flow_id: flow.name,
      run_number: run.id,
      user_name: run.user,
      tags: run.tags ?? [],
      system_tags: systemTags(run.user),
    }
    const stepDir = join(root, flow.name, run.id, p.step)
    const taskDir = join(stepDir, p.task.id)
    if (withMeta && !seenSteps.has(stepDir)) {
      seenSteps.add(stepDir)
      await put(
        join(stepDir, '_meta', '_self.json'),
        json({ ...base, step_name: p.step, ts_epoch: p.createdAt - 60 }),
      )
    }
    if (withMeta) {
      await put(
        join(taskDir, '_meta', '_self.json'),
        json({ ...base, step_name: p.step, task_id: p.task.id, ts_epoch: p.createdAt - 55 }),
      )
      for (const m of p.metadata) {
        const item = {
          flow_id: flow.name,
          run_number: run.id,
          step_name: p.step,
          task_id: p.task.id,
          ...m,
          user_name: run.user,
        }
        await put(join(taskDir, '_meta', `sysmeta_${m.field_name}_${m.ts_epoch}.json`), json(item))
      }
      for (const a of p.artifacts) {
        await put(
          join(taskDir, '_meta', `${a.attempt}_artifact_${a.name}.json`),
          json(artifactRecord(p, a, root)),
        )
      }
    }
    for (const [n, a] of p.task.attempts.entries()) {
      await put(join(taskDir, `${n}.attempt.json`), json({ time: a.startedAt / 1000 }))
      await put(join(taskDir, `${n}.task_begin`), json({ code_package_sha: null, retry_count: n }))
      const ended = a.ok !== undefined && a.endedAt !== undefined
      if (ended || a.killed) {
        await put(
          join(taskDir, `${n}.runtime`),
          json({
            return_code: a.killed ? null : a.ok ? 0 : 1,
            killed: a.killed ?? false,
            success: a.ok === true,
          }),
        )
        for (const stream of ['stdout', 'stderr'] as const) {
          const lines = a[stream] ?? []
          const bySource = (src: 'runtime' | 'task') =>
            lines.map((l, i) => logLine(l, a.startedAt + i * 10)).filter((l) => l.source === src)
          await put(
            join(taskDir, `${n}.runtime_${stream}.log`),
            bySource('runtime').map(mflog).join(''),
          )
          const task = bySource('task')
          if (task.length)
            await put(join(taskDir, `${n}.task_${stream}.log`), task.map(mflog).join(''))
        }
      }
      if (!ended) continue
      const mine = p.artifacts.filter((x) => x.attempt === n)
      await put(
        join(taskDir, `${n}.data.json`),
        json({
          datastore: 'local',
          version: '1.0',
          attempt: n,
          python_version: '3.11.7 (main)',
          objects: Object.fromEntries(mine.map((x) => [x.name, x.pickled.sha])),
          info: Object.fromEntries(
            mine.map((x) => [
              x.name,
              {
                size: x.pickled.size,
                type: x.pickled.type,
                encoding: 'pickle-v4',
                serializer_info: { source: 'metaflow' },
              },
            ]),
          ),
        }),
      )
      await put(join(taskDir, `${n}.task_end`), '{}')
      await put(join(taskDir, `${n}.DONE.lock`), '')
      for (const x of mine) {
        const blobPath = join(root, flow.name, 'data', x.pickled.sha.slice(0, 2), x.pickled.sha)
        await put(blobPath, gzipSync(x.pickled.bytes, { level: 3 }))
        await put(`${blobPath}_meta`, json({ cas_raw: false, cas_version: 1 }))
      }
    }
  }
  return root
}

export function artifactRecord(
  p: TaskPlan,
  a: ArtifactPlan,
  dsRoot: string,
  ids: 'local' | 'service' = 'local',
) {
  const id = (s: string) => (ids === 'service' && /^\d+$/.test(s) ? Number(s) : s)
  return {
    flow_id: p.flow.name,
    run_number: id(p.run.id),
    step_name: p.step,
    task_id: id(p.task.id),
    attempt_id: a.attempt,
    name: a.name,
    content_type: 'pickle-v4',
    type: 'metaflow.artifact',
    sha: a.pickled.sha,
    ds_type: 'local',
    location: `:root:${dsRoot}`,
    user_name: p.run.user,
    tags: p.run.tags ?? [],
    system_tags: systemTags(p.run.user),
    ts_epoch: a.at,
  }
}

function logLine(
  l: LogFixtureLine,
  at: number,
): { at: number; text: string; source: 'runtime' | 'task' } {
  return typeof l === 'string' ? { at, text: l, source: 'runtime' } : { source: 'runtime', ...l }
}

/** `[MFLOG|0|<utc with microseconds>Z|<source>|<uuid>]<text>\n` */
export function mflog(l: { at: number; text: string; source: string }): string {
  const iso = new Date(l.at).toISOString() // …HH:MM:SS.mmmZ
  return `[MFLOG|0|${iso.slice(0, 23)}000Z|${l.source}|${randomUUID()}]${l.text}\n`
}
