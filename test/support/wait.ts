// Waiting for conditions in tests: poll with a deadline, and say what was awaited on timeout.

export async function waitUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v) return v as NonNullable<T>
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)
    await Bun.sleep(everyMs)
  }
}

/** Waits until a log file holds `text` (a job's output is in its file before anyone can ask for it). */
export const waitForLog = (path: string | null | undefined, text: string, timeoutMs = 10_000) =>
  waitUntil(
    `"${text}" in ${path}`,
    async () =>
      !!path && (await Bun.file(path).exists()) && (await Bun.file(path).text()).includes(text),
    timeoutMs,
  )

export function deferred<T = void>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * For beforeAll/beforeEach hooks that build fixtures (python3 pickles, datastores): Bun gives
 * hooks 5 s whatever bunfig's test timeout says, and a loaded machine can need more.
 */
export const HOOK_TIMEOUT = 30_000
