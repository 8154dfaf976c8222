// Pure MFLOG parsing, merging of a task's runtime and task log files, and tail rendering for chat.

export interface LogLine {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`; null for a line that is not MFLOG */
  ts: string | null
  /** `runtime` or `task`; null for a line that is not MFLOG */
  source: string | null
  text: string
}

// Optional "[!" (to be persisted), then [MFLOG|0|<utc>Z|<source>|<line id>], then the text.
const MFLOG =
  /^(?:\[!)?\[MFLOG\|0\|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|([a-z]+)\|([^\]|]*)\](.*)$/s

export function parseMflogLine(line: string): LogLine {
  const m = MFLOG.exec(line)
  if (!m) return { ts: null, source: null, text: line }
  return { ts: m[1]!, source: m[2]!, text: m[4]! }
}

/** One file's lines; the last line may lack a newline, and a trailing newline adds no line. */
export function parseMflog(text: string): LogLine[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines.map((l) => parseMflogLine(l.endsWith('\r') ? l.slice(0, -1) : l))
}

/**
 * Metaflow's merge_logs: timestamped lines of all files in timestamp order (the fixed-width
 * timestamp sorts as text; ties keep file order), then lines without a timestamp, in file order.
 */
export function mergeLogs(...files: Array<string | null | undefined>): LogLine[] {
  const parsed = files.flatMap((f) => (f ? parseMflog(f) : []))
  const stamped = parsed.filter((l) => l.ts !== null)
  const plain = parsed.filter((l) => l.ts === null)
  // Array.prototype.sort is stable, so equal timestamps keep their file order.
  stamped.sort((a, b) => (a.ts! < b.ts! ? -1 : a.ts! > b.ts! ? 1 : 0))
  return [...stamped, ...plain]
}

export interface RenderLogOptions {
  /** default 60 */
  maxLines?: number
  /** default 3500, to stay under Slack's 4000-character guideline with a header */
  maxChars?: number
  /** prefix each line with its time (HH:MM:SS) */
  timestamps?: boolean
}

export interface RenderedLog {
  text: string
  /** lines left out at the start */
  omitted: number
  total: number
}

/** The tail of a log: the most recent lines are what someone asking in chat wants. */
export function renderLogTail(
  lines: readonly LogLine[],
  options: RenderLogOptions = {},
): RenderedLog {
  const maxLines = options.maxLines ?? 60
  const maxChars = options.maxChars ?? 3500
  const shown: string[] = []
  let chars = 0
  for (let i = lines.length - 1; i >= 0 && shown.length < maxLines; i--) {
    const l = lines[i]!
    const text = options.timestamps && l.ts ? `${l.ts.slice(11, 19)} ${l.text}` : l.text
    if (chars + text.length + 1 > maxChars) {
      // A single huge line still shows its end rather than nothing.
      if (shown.length === 0) shown.unshift(`…${text.slice(-(maxChars - 1))}`)
      break
    }
    shown.unshift(text)
    chars += text.length + 1
  }
  return { text: shown.join('\n'), omitted: lines.length - shown.length, total: lines.length }
}
