// How a run stopped for printing more than its max_output is recorded in its row's detail; the
// report recognises the prefix and explains it.
import { formatBytes } from '../util/bytes.ts'

export const OUTPUT_LIMIT = 'output limit'

export const outputLimitDetail = (maxBytes: number) =>
  `${OUTPUT_LIMIT}: it printed more than ${formatBytes(maxBytes)} (max_output), so it was stopped`
