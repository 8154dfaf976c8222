// A loopback Metaflow metadata service with the real read routes and payload shapes, fed from fixtures.
import type { Server } from 'bun'
import type {
  MetaflowArtifact,
  MetaflowFlow,
  MetaflowMetadata,
  MetaflowRun,
  MetaflowStep,
  MetaflowTask,
} from '../../src/metaflow/types.ts'
import { artifactRecord, planTasks, systemTags, type FlowFixture } from './metaflow-fixtures.ts'

export interface FakeMetaflowOptions {
  /** the server's PATH_PREFIX, e.g. `/api`; default none */
  prefix?: string
  version?: string
  /** honour `_limit`/`_cursor` on the runs route as servers newer than v2.5.1 do; default false (old server) */
  paged?: boolean
}

export interface SeenRequest {
  path: string
  query: Record<string, string>
  headers: Record<string, string>
}

export class FakeMetaflow {
  readonly flows: MetaflowFlow[] = []
  readonly runs: MetaflowRun[] = []
  readonly steps: MetaflowStep[] = []
  readonly tasks: MetaflowTask[] = []
  readonly metadata: MetaflowMetadata[] = []
  readonly artifacts: MetaflowArtifact[] = []
  readonly requests: SeenRequest[] = []
  /** statuses to answer the next requests with, in order, before serving normally */
  readonly failures: number[] = []
  /** when set, every request is answered with this status */
  down: number | null = null
  /** delay before answering, to test timeouts */
  delayMs = 0
  private server: Server<undefined> | null = null
  private readonly options: FakeMetaflowOptions
  private nextMetadataId = 1

  constructor(options: FakeMetaflowOptions = {}) {
    this.options = options
  }

  get url(): string {
    if (!this.server) throw new Error('fake Metaflow service is not running')
    return `http://127.0.0.1:${this.server.port}${this.options.prefix ?? ''}`
  }

  start(): this {
    this.server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => this.handle(req) })
    return this
  }

  async stop(): Promise<void> {
    await this.server?.stop(true)
    this.server = null
  }

  failNext(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(status)
  }

  /** Adds fixture flows as the service would hold them; artifacts point at `dsRoot` (`:root:<dsRoot>`). */
  load(flows: readonly FlowFixture[], dsRoot = '/nonexistent/.metaflow'): this {
    const id = (s: string): number | string => (/^\d+$/.test(s) ? Number(s) : s)
    for (const flow of flows) {
      this.flows.push({
        flow_id: flow.name,
        user_name: flow.runs[0]?.user ?? null,
        ts_epoch: flow.createdAt,
        tags: [],
        system_tags: [],
      })
      for (const run of flow.runs) {
        this.runs.push({
          flow_id: flow.name,
          run_number: id(run.id),
          user_name: run.user,
          ts_epoch: run.createdAt,
          tags: run.tags ?? [],
          system_tags: systemTags(run.user),
          last_heartbeat_ts: run.heartbeat ?? null,
        })
      }
    }
    const seenSteps = new Set<string>()
    for (const p of planTasks(flows, dsRoot)) {
      const base = {
        flow_id: p.flow.name,
        run_number: id(p.run.id),
        user_name: p.run.user,
        tags: p.run.tags ?? [],
        system_tags: systemTags(p.run.user),
      }
      const stepKey = `${p.flow.name}/${p.run.id}/${p.step}`
      if (!seenSteps.has(stepKey)) {
        seenSteps.add(stepKey)
        this.steps.push({ ...base, step_name: p.step, ts_epoch: p.createdAt - 60 })
      }
      this.tasks.push({
        ...base,
        step_name: p.step,
        task_id: id(p.task.id),
        ts_epoch: p.createdAt - 55,
        last_heartbeat_ts: p.task.heartbeat ?? null,
      })
      for (const m of p.metadata) {
        this.metadata.push({
          id: this.nextMetadataId++,
          flow_id: p.flow.name,
          run_number: id(p.run.id),
          step_name: p.step,
          task_id: id(p.task.id),
          field_name: m.field_name,
          value: m.value,
          type: m.type,
          user_name: p.run.user,
          ts_epoch: m.ts_epoch,
          tags: m.tags,
          system_tags: null,
        })
      }
      for (const a of p.artifacts) this.artifacts.push(artifactRecord(p, a, dsRoot, 'service'))
    }
    return this
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url)
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(req.headers),
    })
    if (this.delayMs) await Bun.sleep(this.delayMs)
    const failure = this.failures.shift() ?? this.down
    if (failure !== null)
      return this.reply(
        failure,
        failure === 500
          ? {
              traceback: 'Traceback…',
              detail: 'boom',
              status: 500,
              title: 'Internal Server Error',
              type: 'about:blank',
            }
          : {},
      )
    const prefix = this.options.prefix ?? ''
    if (!url.pathname.startsWith(prefix)) return this.reply(404, {})
    const parts = url.pathname
      .slice(prefix.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent)
    if (parts.length === 1 && parts[0] === 'ping') return this.reply(200, 'pong', true)
    if (parts.length === 1 && parts[0] === 'version') return this.reply(200, this.version(), true)
    if (parts[0] !== 'flows') return this.reply(404, {})
    return this.route(parts.slice(1), url.searchParams)
  }

  private route(p: string[], q: URLSearchParams): Response {
    const [flow, runsWord, run, stepsWord, step, tasksWord, task, ...rest] = p
    const same = (a: string | number, b: string | undefined) => String(a) === b
    const inRun = <T extends { flow_id: string; run_number: string | number }>(xs: T[]) =>
      xs.filter((x) => x.flow_id === flow && same(x.run_number, run))
    const inStep = <T extends { flow_id: string; run_number: string | number; step_name: string }>(
      xs: T[],
    ) => inRun(xs).filter((x) => x.step_name === step)
    const inTask = <
      T extends {
        flow_id: string
        run_number: string | number
        step_name: string
        task_id: string | number
      },
    >(
      xs: T[],
    ) => inStep(xs).filter((x) => same(x.task_id, task))
    const list = (xs: unknown[]) => this.reply(200, xs)
    const one = (x: unknown) => (x ? this.reply(200, x) : this.reply(404, {}))

    if (p.length === 0) return list(this.flows)
    if (p.length === 1) return one(this.flows.find((f) => f.flow_id === flow))
    if (runsWord !== 'runs') return this.reply(404, {})
    if (p.length === 2) return this.runsOf(flow!, q)
    if (p.length === 3)
      return one(this.runs.find((r) => r.flow_id === flow && same(r.run_number, run)))
    if (p.length === 4 && stepsWord === 'metadata') return list(inRun(this.metadata))
    if (p.length === 4 && stepsWord === 'artifacts')
      return list(latestPerTask(inRun(this.artifacts)))
    if (stepsWord !== 'steps') return this.reply(404, {})
    if (p.length === 4) return list(inRun(this.steps))
    if (p.length === 5) return one(inRun(this.steps).find((s) => s.step_name === step))
    if (p.length === 6 && tasksWord === 'artifacts')
      return list(latestPerTask(inStep(this.artifacts)))
    if (tasksWord !== 'tasks') return this.reply(404, {})
    if (p.length === 6) return list(inStep(this.tasks))
    if (p.length === 7) return one(inTask(this.tasks)[0])
    const arts = inTask(this.artifacts)
    const latest = arts.length ? Math.max(...arts.map((a) => a.attempt_id)) : 0
    if (rest.length === 1 && rest[0] === 'metadata') return list(inTask(this.metadata))
    if (rest.length === 1 && rest[0] === 'artifacts')
      return list(arts.filter((a) => a.attempt_id === latest))
    if (rest.length === 3 && rest[0] === 'attempt' && rest[2] === 'artifacts')
      return list(arts.filter((a) => a.attempt_id === Number(rest[1])))
    if (rest.length === 2 && rest[0] === 'artifacts')
      return one(
        arts.filter((a) => a.name === rest[1] && a.attempt_id === latestOf(arts, rest[1]!))[0],
      )
    if (rest.length === 4 && rest[0] === 'artifacts' && rest[2] === 'attempt')
      return one(arts.find((a) => a.name === rest[1] && a.attempt_id === Number(rest[3])))
    return this.reply(404, {})
  }

  /** Old servers: every run, in table order. Paged servers: ts_epoch desc, then run_number desc, with a cursor. */
  private runsOf(flow: string, q: URLSearchParams): Response {
    const runs = this.runs.filter((r) => r.flow_id === flow)
    if (!this.options.paged || (!q.has('_limit') && !q.has('_cursor'))) return this.reply(200, runs)
    const limit = Math.min(Number(q.get('_limit') ?? 50), 500)
    const offset = q.has('_cursor')
      ? (JSON.parse(atob(q.get('_cursor')!)) as { offset: number }).offset
      : 0
    const sorted = [...runs].sort(
      (a, b) => b.ts_epoch - a.ts_epoch || Number(b.run_number) - Number(a.run_number),
    )
    const page = sorted.slice(offset, offset + limit)
    const headers: Record<string, string> = { 'X-Limit': String(limit) }
    if (offset + limit < sorted.length)
      headers['X-Next-Cursor'] = btoa(JSON.stringify({ offset: offset + limit }))
    return this.reply(200, page, false, headers)
  }

  private version(): string {
    return this.options.version ?? '2.5.1'
  }

  /** The service's handlers declare no JSON content type; clients must parse regardless. */
  private reply(
    status: number,
    body: unknown,
    text = false,
    headers: Record<string, string> = {},
  ): Response {
    return new Response(text ? String(body) : JSON.stringify(body), {
      status,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        METADATA_SERVICE_VERSION: this.version(),
        ...headers,
      },
    })
  }
}

export function startFakeMetaflow(options: FakeMetaflowOptions = {}): FakeMetaflow {
  return new FakeMetaflow(options).start()
}

function latestOf(arts: MetaflowArtifact[], name: string): number {
  return Math.max(...arts.filter((a) => a.name === name).map((a) => a.attempt_id))
}

function latestPerTask(arts: MetaflowArtifact[]): MetaflowArtifact[] {
  const latest = new Map<string, number>()
  for (const a of arts) {
    const k = `${a.step_name}/${a.task_id}`
    latest.set(k, Math.max(latest.get(k) ?? -1, a.attempt_id))
  }
  return arts.filter((a) => latest.get(`${a.step_name}/${a.task_id}`) === a.attempt_id)
}
