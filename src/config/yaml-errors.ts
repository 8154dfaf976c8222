// YAML syntax errors as config issues people can act on: the line where an unclosed quote opened
// (the parser only notices at the end of the file), the column instead of a message that ends in
// a dangling ":", and a hint when a value starting with `[` or `{` was read as a list or map
// (`run: [ -f x ] && make` is an everyday bash line).
import { type LineCounter, Parser, type YAMLError } from 'yaml'
import type { ConfigIssue } from './errors.ts'

export const BRACKET_HINT =
  "a value that starts with [ or { is a YAML list or map: quote the whole value (run: '[ -f x ] && make') or write it as a block (run: |)"

interface CstToken {
  type?: string
  offset?: number
  source?: string
  [k: string]: unknown
}

/** The quoted scalar that runs through `pos`: where an unclosed quote really opened. */
function quotedScalarAt(text: string, pos: number): number | undefined {
  let found: number | undefined
  const walk = (t: unknown): void => {
    if (!t || typeof t !== 'object') return
    const tok = t as CstToken
    if (
      (tok.type === 'double-quoted-scalar' || tok.type === 'single-quoted-scalar') &&
      tok.offset !== undefined &&
      tok.offset <= pos &&
      pos <= tok.offset + (tok.source?.length ?? 0)
    )
      found = tok.offset
    for (const v of Object.values(tok)) {
      if (Array.isArray(v)) v.forEach(walk)
      else if (v && typeof v === 'object') walk(v)
    }
  }
  for (const doc of new Parser().parse(text)) walk(doc)
  return found
}

/** The value after `key:` or `- ` on a line starts with `[` or `{`. */
const startsFlow = (line: string) => /^\s*(?:-\s+)?(?:[^\s:#][^:#]*:\s+)?[[{]/.test(line)

export function yamlIssues(text: string, errors: YAMLError[], lines: LineCounter): ConfigIssue[] {
  const source = text.split('\n')
  const issues: ConfigIssue[] = []
  const seen = new Set<number | undefined>()
  for (const e of errors) {
    let line = e.linePos?.[0]?.line
    const col = e.linePos?.[0]?.col
    // "Unexpected scalar at node end at line 5, column 18:" then a code frame: keep the words.
    let message = e.message
      .split('\n')[0]!
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/:$/, '')
    const quote = /^Missing closing (["'])quote/.exec(message)?.[1]
    if (quote) {
      const opened = quotedScalarAt(text, e.pos[0])
      if (opened !== undefined) line = lines.linePos(opened).line
      message = `the value opened with ${quote} here is never closed (a ${quote} inside it must be ${quote === '"' ? 'escaped as \\"' : "doubled as ''"})`
    } else {
      if (col) message += ` (column ${col})`
      if (line && startsFlow(source[line - 1] ?? '')) message += `; ${BRACKET_HINT}`
    }
    // One mistake often trips the parser several times on the same line: say it once.
    if (seen.has(line)) continue
    seen.add(line)
    issues.push({ path: '', line, message: `YAML syntax: ${message}` })
    if (issues.length === 3) break
  }
  return issues
}
