// max_output: a run's stdout and stderr files are measured ten times a second; past the limit
// the run is stopped, and once nothing of it is left the files are cut back to the limit, so a
// job printing without end cannot fill the disk. The job writes its files itself (a full disk or
// a file-size limit then fails the job, not the bot).
import { statSync, truncateSync } from 'node:fs'

const size = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

export interface OutputWatch {
  /** stops measuring; then cuts the files back if they passed the limit, and says whether they did */
  finish(): boolean
}

export function watchOutput(
  paths: [string, string],
  maxBytes: number,
  onExceeded: () => void,
  everyMs = 100,
): OutputWatch {
  const over = () => size(paths[0]) + size(paths[1]) > maxBytes
  let exceeded = false
  const timer = setInterval(() => {
    if (exceeded || !over()) return
    exceeded = true
    onExceeded()
  }, everyMs)
  return {
    finish() {
      clearInterval(timer)
      if (!over()) return exceeded
      const [keepOut, keepErr] = shares(size(paths[0]), size(paths[1]), maxBytes)
      truncateSync(paths[0], keepOut)
      truncateSync(paths[1], keepErr)
      return true
    },
  }
}

/** How much of each stream to keep within `max`: a small one whole, the rest to the other. */
export function shares(out: number, err: number, max: number): [number, number] {
  const half = Math.floor(max / 2)
  if (out + err <= max) return [out, err]
  if (err <= half) return [max - err, err]
  if (out <= half) return [out, max - out]
  return [half, max - half]
}
