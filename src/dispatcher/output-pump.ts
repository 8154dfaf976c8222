// A run's stdout and stderr pass through the bot on their way to the log files, so it counts
// them: past the job's max_output the rest is dropped and the run is stopped, and a job printing
// without end cannot fill the disk. Files are created 0600 whatever the umask.
import { open } from 'node:fs/promises'

export interface OutputPump {
  /** resolves once both streams have closed and everything kept is on disk */
  done: Promise<void>
  readonly exceeded: boolean
}

export function pumpOutput(
  streams: [ReadableStream<Uint8Array>, ReadableStream<Uint8Array>],
  paths: [string, string],
  maxBytes: number,
  onExceeded: () => void,
): OutputPump {
  let total = 0
  const state = { exceeded: false }
  const pump = async (stream: ReadableStream<Uint8Array>, path: string) => {
    const file = await open(path, 'w', 0o600)
    try {
      for await (const chunk of stream) {
        if (state.exceeded) continue // drained, not kept: the run is being stopped
        const room = maxBytes - total
        const keep = chunk.byteLength > room ? chunk.subarray(0, Math.max(0, room)) : chunk
        total += keep.byteLength
        if (keep.byteLength) await file.write(keep)
        if (keep.byteLength < chunk.byteLength) {
          state.exceeded = true
          onExceeded()
        }
      }
    } finally {
      await file.close()
    }
  }
  const done = Promise.all([pump(streams[0], paths[0]), pump(streams[1], paths[1])]).then(() => {})
  return {
    done,
    get exceeded() {
      return state.exceeded
    },
  }
}
