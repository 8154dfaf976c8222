// URL paths and reply parsing for the metadata service client: ids checked and encoded, error bodies unwrapped.
import { MetaflowServiceError, checkSegment } from './errors.ts'
import type { TaskPath } from './types.ts'

/** Error bodies are a JSON object, or a JSON string that itself encodes one (DB errors). */
export function detail(text: string): string {
  let body: unknown = text
  for (let i = 0; i < 2 && typeof body === 'string'; i++) {
    try {
      body = JSON.parse(body)
    } catch {
      break
    }
  }
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>
    const msg = o.detail ?? o.err_msg ?? o.message ?? o.title
    if (typeof msg === 'string' && msg) return `: ${msg.slice(0, 300)}`
  }
  return typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 300)}` : ''
}

export function asArray<T>(body: unknown): T[] {
  if (!Array.isArray(body))
    throw new MetaflowServiceError(
      'bad-response',
      'the metadata service sent an object where a list was expected',
    )
  return body as T[]
}

export function byTime<T extends { ts_epoch: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.ts_epoch - b.ts_epoch)
}

export function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function attemptNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`bad attempt number ${n}`)
  return n
}

export function enc(kind: string, value: string): string {
  return encodeURIComponent(checkSegment(kind, value))
}

export const flowPath = (flow: string) => `/flows/${enc('flow', flow)}`
export const runPath = (flow: string, run: string) => `${flowPath(flow)}/runs/${enc('run', run)}`
export const stepPath = (flow: string, run: string, step: string) =>
  `${runPath(flow, run)}/steps/${enc('step', step)}`
export const taskPath = (t: TaskPath) =>
  `${stepPath(t.flow, t.run, t.step)}/tasks/${enc('task', t.task)}`
export const pathspec = (t: TaskPath) => `${t.flow}/${t.run}/${t.step}/${t.task}`
