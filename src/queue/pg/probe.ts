// Is the PostgreSQL database usable? A fresh connection reads the runs table inside a
// transaction within the time a request may wait: that fails when the server is down, refuses
// us, or the table is gone, which are the cases where nothing could be queued.
import postgres from 'postgres'
import type { ProbeResult } from '../probe.ts'

export async function probePg(url: string, timeoutMs = 500): Promise<ProbeResult> {
  const started = performance.now()
  const client = postgres(url, {
    max: 1,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    onnotice: () => {},
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const check = client.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL statement_timeout = ${Math.trunc(timeoutMs)}`)
      await tx`SELECT count(*) FROM runs`
    })
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    await Promise.race([check, late])
    return { ok: true, detail: { ms: Math.round(performance.now() - started) } }
  } catch (e) {
    return { ok: false, detail: { error: e instanceof Error ? e.message : String(e) } }
  } finally {
    clearTimeout(timer)
    void client.end({ timeout: 1 })
  }
}
