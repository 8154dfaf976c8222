// The end of a run's log file, bounded: reports and progress show tails.
/** Reads at most the last `max` bytes: reports show tails, and a runaway job must not exhaust memory. */
export async function readTail(path: string | null, max = 4 * 1024 * 1024): Promise<string> {
  if (!path) return ''
  try {
    const f = Bun.file(path)
    const size = f.size
    const text = await (size > max ? f.slice(size - max) : f).text()
    return size > max ? `[first ${size - max} bytes not shown]\n${text}` : text
  } catch {
    return '' // a missing log file (could not start, disk trouble) reports as empty output
  }
}
