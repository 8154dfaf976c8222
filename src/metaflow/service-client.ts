// Typed client for the Metaflow metadata service's read routes, with timeouts and retries.
import { MetaflowNotFoundError, MetaflowServiceError } from './errors.ts'
import { errorText } from '../util/log.ts'
import {
  asArray,
  attemptNumber,
  byTime,
  detail,
  enc,
  flowPath,
  isTimeout,
  pathspec,
  runPath,
  sleep,
  stepPath,
  taskPath,
} from './service-http.ts'
import type {
  MetaflowArtifact,
  MetaflowFlow,
  MetaflowMetadata,
  MetaflowRun,
  MetaflowStep,
  MetaflowTask,
  TaskPath,
} from './types.ts'
import { hasAllTags, newestFirst } from './tags.ts'

export interface ServiceClientOptions {
  /** `METAFLOW_SERVICE_URL`; may carry a path prefix */
  url: string
  /** `METAFLOW_SERVICE_AUTH_KEY`, sent as `x-api-key` */
  authKey?: string
  /** `METAFLOW_SERVICE_HEADERS` */
  headers?: Record<string, string>
  /** per request, including reading the body; default 10 s */
  timeoutMs?: number
  /** extra tries after a connection error or a 503; default 3 (Metaflow uses 5 with 1, 2, 4… s, too slow for chat) */
  retries?: number
  /** first pause before a retry, doubled each time; default 500 ms */
  backoffMs?: number
  fetch?: typeof fetch
}

export interface RunListOptions {
  /** keep at most this many (newest first) */
  limit?: number
  /** every one must be among the run's tags or system tags */
  requiredTags?: string[]
}

interface Reply {
  body: unknown
  headers: Headers
}

/** Pages are cheap to ask for: servers up to v2.5.1 ignore `_limit` and send the whole array. */
const PAGE_SIZE = 100
const MAX_PAGES = 50

export class ServiceClient {
  /** the base URL without credentials, safe to show in chat */
  readonly displayUrl: string
  private readonly base: string
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly backoffMs: number
  private readonly fetchFn: typeof fetch

  constructor(options: ServiceClientOptions) {
    const url = new URL(options.url)
    url.username = ''
    url.password = ''
    this.displayUrl = url.toString().replace(/\/+$/, '')
    this.base = options.url.replace(/\/+$/, '')
    this.headers = { accept: 'application/json', ...options.headers }
    if (options.authKey) this.headers['x-api-key'] = options.authKey
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.retries = options.retries ?? 3
    this.backoffMs = options.backoffMs ?? 500
    this.fetchFn = options.fetch ?? fetch
  }

  /** `GET /ping`; the version comes from the `METADATA_SERVICE_VERSION` header, as the Python client reads it. */
  async ping(): Promise<{ version: string | null }> {
    const { headers } = await this.get('/ping', 'the service', false)
    return { version: headers.get('METADATA_SERVICE_VERSION') }
  }

  async listFlows(): Promise<MetaflowFlow[]> {
    return this.list<MetaflowFlow>('/flows')
  }

  async getFlow(flow: string): Promise<MetaflowFlow> {
    return this.one<MetaflowFlow>(flowPath(flow), `flow ${flow}`)
  }

  /** Newest first. Follows `X-Next-Cursor` on paging servers until enough runs match. */
  async listRuns(flow: string, options: RunListOptions = {}): Promise<MetaflowRun[]> {
    const limit = options.limit ?? Infinity
    const tags = options.requiredTags ?? []
    const found: MetaflowRun[] = []
    let cursor: string | null = null
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: Record<string, string> = Number.isFinite(limit)
        ? { _limit: String(PAGE_SIZE) }
        : {}
      if (cursor) query._cursor = cursor
      const reply = await this.get(`${flowPath(flow)}/runs`, `runs of ${flow}`, true, query)
      found.push(...asArray<MetaflowRun>(reply.body).filter((r) => hasAllTags(r, tags)))
      cursor = reply.headers.get('X-Next-Cursor')
      if (!cursor || found.length >= limit) break
    }
    return newestFirst(found).slice(0, Number.isFinite(limit) ? limit : undefined)
  }

  async getRun(flow: string, run: string): Promise<MetaflowRun> {
    return this.one<MetaflowRun>(runPath(flow, run), `run ${flow}/${run}`)
  }

  async listSteps(flow: string, run: string): Promise<MetaflowStep[]> {
    return this.list<MetaflowStep>(`${runPath(flow, run)}/steps`)
  }

  async getStep(flow: string, run: string, step: string): Promise<MetaflowStep> {
    return this.one<MetaflowStep>(stepPath(flow, run, step), `step ${flow}/${run}/${step}`)
  }

  async listTasks(flow: string, run: string, step: string): Promise<MetaflowTask[]> {
    return this.list<MetaflowTask>(`${stepPath(flow, run, step)}/tasks`)
  }

  async getTask(t: TaskPath): Promise<MetaflowTask> {
    return this.one<MetaflowTask>(taskPath(t), `task ${pathspec(t)}`)
  }

  /** Oldest first (only newer servers sort, and the other way round). */
  async getTaskMetadata(t: TaskPath): Promise<MetaflowMetadata[]> {
    return byTime(await this.list<MetaflowMetadata>(`${taskPath(t)}/metadata`))
  }

  /** Every task's metadata in one request; oldest first. */
  async getRunMetadata(flow: string, run: string): Promise<MetaflowMetadata[]> {
    return byTime(await this.list<MetaflowMetadata>(`${runPath(flow, run)}/metadata`))
  }

  /** Without `attempt`: the latest attempt that has any artifacts. */
  async listTaskArtifacts(t: TaskPath, attempt?: number): Promise<MetaflowArtifact[]> {
    const suffix =
      attempt === undefined ? '/artifacts' : `/attempt/${attemptNumber(attempt)}/artifacts`
    return this.list<MetaflowArtifact>(taskPath(t) + suffix)
  }

  async getTaskArtifact(t: TaskPath, name: string, attempt?: number): Promise<MetaflowArtifact> {
    const base = `${taskPath(t)}/artifacts/${enc('artifact', name)}`
    const path = attempt === undefined ? base : `${base}/attempt/${attemptNumber(attempt)}`
    return this.one<MetaflowArtifact>(path, `artifact ${name} of ${pathspec(t)}`)
  }

  /** Latest attempt of every task in the run. */
  async listRunArtifacts(flow: string, run: string): Promise<MetaflowArtifact[]> {
    return this.list<MetaflowArtifact>(`${runPath(flow, run)}/artifacts`)
  }

  private async list<T>(path: string): Promise<T[]> {
    return asArray<T>((await this.get(path, path, true)).body)
  }

  private async one<T>(path: string, what: string): Promise<T> {
    const { body } = await this.get(path, what, true)
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new MetaflowServiceError(
        'bad-response',
        `${this.where()} sent an unexpected reply for ${what}`,
      )
    }
    return body as T
  }

  private where(): string {
    return `Metaflow metadata service at ${this.displayUrl}`
  }

  /** One GET with the retry rules of Metaflow's own client: connection errors and 503 are retried. */
  private async get(
    path: string,
    what: string,
    json: boolean,
    query: Record<string, string> = {},
  ): Promise<Reply> {
    const qs = new URLSearchParams(query).toString()
    const url = this.base + path + (qs ? `?${qs}` : '')
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retries
      let res: Response
      let text: string
      try {
        res = await this.fetchFn(url, {
          headers: this.headers,
          signal: AbortSignal.timeout(this.timeoutMs),
        })
        text = await res.text()
      } catch (err) {
        if (isTimeout(err)) {
          // A slow service is up; retrying would multiply a chat user's wait, so say so at once.
          throw new MetaflowServiceError(
            'timeout',
            `${this.where()} did not answer within ${this.timeoutMs / 1000} s (GET ${path})`,
          )
        }
        if (last)
          throw new MetaflowServiceError(
            'unreachable',
            `${this.where()} is unreachable: ${errorText(err)}`,
          )
        await sleep(this.backoffMs * 2 ** attempt)
        continue
      }
      if (res.status === 503 && !last) {
        await sleep(this.backoffMs * 2 ** attempt)
        continue
      }
      if (res.status === 404) throw new MetaflowNotFoundError(what)
      if (res.status === 503) {
        throw new MetaflowServiceError(
          'unavailable',
          `${this.where()} is unavailable (HTTP 503) after ${attempt + 1} tries`,
          503,
        )
      }
      if (res.status >= 300) {
        throw new MetaflowServiceError(
          'http',
          `${this.where()} answered HTTP ${res.status} to GET ${path}${detail(text)}`,
          res.status,
        )
      }
      if (!json) return { body: text, headers: res.headers }
      try {
        // Handlers do not declare application/json, so parse whatever the Content-Type says.
        return { body: JSON.parse(text), headers: res.headers }
      } catch {
        throw new MetaflowServiceError(
          'bad-response',
          `${this.where()} sent a reply that is not JSON for GET ${path}`,
          res.status,
        )
      }
    }
  }
}
