// Benchmark helpers: timing, percentiles, memory and plain-text tables, shared by every bench.
import { cpus } from 'node:os'
import { readFileSync } from 'node:fs'

/** Milliseconds with sub-microsecond resolution (monotonic). */
export const nowMs = () => Bun.nanoseconds() / 1e6

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
function percentile(sample: number[], p: number): number {
  if (!sample.length) return NaN
  const sorted = [...sample].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}

export interface Summary {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

export function summarize(sample: number[]): Summary {
  const sum = sample.reduce((a, b) => a + b, 0)
  return {
    n: sample.length,
    p50: percentile(sample, 50),
    p95: percentile(sample, 95),
    p99: percentile(sample, 99),
    max: Math.max(...sample),
    mean: sum / sample.length,
  }
}

/** Resident set size of a process in MiB, from /proc (VmRSS now, VmHWM the peak). */
export function rssMiB(
  pid: number | 'self' = 'self',
): { rss: number; peak: number; anon: number; file: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    // Anonymous memory is the process's own; file-backed pages are mostly the executable's code,
    // shared with the page cache and given back under memory pressure.
    return {
      rss: kb('VmRSS') / 1024,
      peak: kb('VmHWM') / 1024,
      anon: kb('RssAnon') / 1024,
      file: kb('RssFile') / 1024,
    }
  } catch {
    return null
  }
}

/**
 * CPU time a process has used so far (all its threads, user and system), in ms: the cost of a
 * load that wall time hides when other work shares the machine's cores.
 */
export function cpuMs(pid: number | 'self' = 'self'): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS
  } catch {
    return NaN
  }
}
/** Linux's USER_HZ, which /proc reports times in: 100 on every architecture Bun runs on. */
const CLOCK_TICKS = 100

export const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '-')
export const fmtInt = (v: number) =>
  Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-'

/** A left-aligned first column and right-aligned figures, as Markdown so docs can take it as is. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n')
}

/** What the figures were measured on: printed before every bench, copied into docs/performance.md. */
export function machineLine(): string {
  const c = cpus()
  const model = c[0]?.model?.trim() ?? 'unknown CPU'
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  return `${new Date().toISOString().slice(0, 10)}, ${c.length} cores (${model}), Bun ${Bun.version}, ${process.platform}/${process.arch}, load average ${load}`
}

/** `--quick` shrinks every bench for development on a shared machine. */
export const QUICK = process.argv.includes('--quick') || process.env.EBMBOT_BENCH_QUICK === '1'
