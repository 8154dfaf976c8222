// File access to a local Metaflow datastore root: attempts, artifact index, blobs, logs.
import { createHash } from 'node:crypto'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { MetaflowNotFoundError, MetaflowUnavailableError, checkSegment } from './errors.ts'
import { mergeLogs, type LogLine } from './logs.ts'
import type { DataIndex, RuntimeRecord, TaskPath } from './types.ts'

/** `MAX_ATTEMPTS` in Metaflow: attempts are numbered 0–5. */
const MAX_ATTEMPTS = 6
export type LogStream = 'stdout' | 'stderr'

/** The files of one stream for one attempt; null where the file does not exist. */
export interface LogFiles {
  runtime: string | null
  task: string | null
  /** pre-MFLOG `<n>.<stream>.log` */
  legacy: string | null
}

export interface TaskLog {
  /** the attempt read; null when the task has not started one */
  attempt: number | null
  lines: LogLine[]
  /** whether any log file existed (none do while an attempt runs locally) */
  found: boolean
}

export type BlobResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large'; limit: number }

/** Logs are capped at 10 MB by default in Metaflow; allow a few times that before refusing. */
const MAX_LOG_BYTES = 64 * 1024 * 1024

export class LocalDatastore {
  /** the `.metaflow` directory */
  readonly root: string
  constructor(root: string) {
    this.root = root
  }

  flowDir(flow: string): string {
    return join(this.root, checkSegment('flow', flow))
  }

  runDir(flow: string, run: string): string {
    return join(this.flowDir(flow), checkSegment('run', run))
  }

  stepDir(flow: string, run: string, step: string): string {
    return join(this.runDir(flow, run), checkSegment('step', step))
  }

  taskDir(t: TaskPath): string {
    return join(this.stepDir(t.flow, t.run, t.step), checkSegment('task', t.task))
  }

  /** The `latest_run` file: the run last started here with `python flow.py run` (not `resume`). */
  async latestRunFile(flow: string): Promise<string | null> {
    const text = await readText(join(this.flowDir(flow), 'latest_run'))
    return text?.trim() || null
  }

  /** The datastore's rule: the highest n in 0–5 with `<n>.attempt.json`. */
  async latestAttempt(t: TaskPath): Promise<number | null> {
    const names = new Set(await listNames(this.taskDir(t)))
    for (let n = MAX_ATTEMPTS - 1; n >= 0; n--) if (names.has(`${n}.attempt.json`)) return n
    return null
  }

  /** Seconds since the epoch at which attempt n started. */
  async attemptStartedAt(t: TaskPath, n: number): Promise<number | null> {
    const rec = await readJson<{ time?: number }>(join(this.taskDir(t), `${n}.attempt.json`))
    return typeof rec?.time === 'number' ? rec.time : null
  }

  /** `<n>.DONE.lock` exists once the attempt completed, whether it succeeded or not. */
  async attemptDone(t: TaskPath, n: number): Promise<boolean> {
    return (await readText(join(this.taskDir(t), `${n}.DONE.lock`))) !== null
  }

  /** The artifact index; readable only once the attempt is done. */
  async dataIndex(t: TaskPath, n: number): Promise<DataIndex | null> {
    if (!(await this.attemptDone(t, n))) return null
    const index = await readJson<DataIndex>(join(this.taskDir(t), `${n}.data.json`))
    return index && typeof index.objects === 'object' ? index : null
  }

  async runtimeRecord(t: TaskPath, n: number): Promise<RuntimeRecord | null> {
    return readJson<RuntimeRecord>(join(this.taskDir(t), `${n}.runtime`))
  }

  async logFiles(t: TaskPath, n: number, stream: LogStream): Promise<LogFiles> {
    const dir = this.taskDir(t)
    const [runtime, task, legacy] = await Promise.all([
      readText(join(dir, `${n}.runtime_${stream}.log`), MAX_LOG_BYTES),
      readText(join(dir, `${n}.task_${stream}.log`), MAX_LOG_BYTES),
      readText(join(dir, `${n}.${stream}.log`), MAX_LOG_BYTES),
    ])
    return { runtime, task, legacy }
  }

  /** One stream of one attempt (default: the latest), runtime and task files merged as Metaflow does. */
  async taskLog(t: TaskPath, stream: LogStream, attempt?: number): Promise<TaskLog> {
    const n = attempt ?? (await this.latestAttempt(t))
    if (n === null) return { attempt: null, lines: [], found: false }
    const f = await this.logFiles(t, n, stream)
    const lines =
      f.runtime !== null || f.task !== null ? mergeLogs(f.runtime, f.task) : mergeLogs(f.legacy)
    return { attempt: n, lines, found: f.runtime !== null || f.task !== null || f.legacy !== null }
  }

  /**
   * The pickle bytes of a content-addressed blob: gzip unless the `_meta` sidecar says
   * `cas_raw` (no sidecar means old data, which is gzip). The key is the SHA-1 of the
   * uncompressed bytes, so a mismatch means a damaged file.
   */
  async blob(flow: string, sha: string, maxBytes: number): Promise<BlobResult> {
    if (!/^[0-9a-f]{40}$/.test(sha))
      throw new MetaflowUnavailableError(`artifact key ${JSON.stringify(sha)} is not a SHA-1`)
    const path = join(this.flowDir(flow), 'data', sha.slice(0, 2), sha)
    const meta = await readJson<{ cas_raw?: boolean }>(`${path}_meta`)
    let size: number
    try {
      size = (await stat(path)).size
    } catch (err) {
      if (isMissing(err))
        throw new MetaflowNotFoundError(
          `artifact data ${sha.slice(0, 12)}`,
          `artifact data ${sha} is not in the datastore at ${this.root}`,
        )
      throw err
    }
    if (size > maxBytes) return { ok: false, reason: 'too-large', limit: maxBytes }
    const stored = await readFile(path)
    let bytes: Uint8Array
    if (meta?.cas_raw === true) {
      bytes = stored
    } else {
      try {
        bytes = gunzipSync(stored, { maxOutputLength: maxBytes })
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          return { ok: false, reason: 'too-large', limit: maxBytes }
        throw new MetaflowUnavailableError(`artifact data ${sha} is not valid gzip`)
      }
    }
    if (createHash('sha1').update(bytes).digest('hex') !== sha) {
      throw new MetaflowUnavailableError(
        `artifact data ${sha} is damaged (its SHA-1 does not match)`,
      )
    }
    return { ok: true, bytes }
  }
}

/** Subdirectory names of `dir` that hold `_meta/_self.json`: Metaflow's rule for objects at a level. */
export async function objectDirs(dir: string): Promise<string[]> {
  const names = await listNames(dir)
  const found = await Promise.all(
    names
      .filter((n) => n !== 'data' && n !== '_meta' && !n.startsWith('.'))
      .map(async (n) =>
        (await readText(join(dir, n, '_meta', '_self.json'))) !== null ? n : null,
      ),
  )
  return found.filter((n): n is string => n !== null)
}

export async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isMissing(err) || (err as { code?: string }).code === 'ENOTDIR') return []
    throw err
  }
}

/** null when missing; files Metaflow writes are 0600, so EACCES means the bot runs as the wrong user. */
async function readText(path: string, maxBytes = 16 * 1024 * 1024): Promise<string | null> {
  try {
    const st = await stat(path)
    if (!st.isFile()) return null
    if (st.size > maxBytes)
      throw new MetaflowUnavailableError(`${path} is larger than ${maxBytes} bytes`)
    return await readFile(path, 'utf8')
  } catch (err) {
    if (isMissing(err)) return null
    if ((err as { code?: string }).code === 'EACCES') {
      throw new MetaflowUnavailableError(
        `cannot read ${path}: Metaflow writes its files mode 0600, so the bot must run as the flows' user`,
      )
    }
    throw err
  }
}

/** null when missing or not JSON (a file caught mid-write by a non-atomic writer). */
export async function readJson<T>(path: string): Promise<T | null> {
  const text = await readText(path)
  if (text === null) return null
  try {
    return JSON.parse(text) as T
  } catch {
    return null
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
