// Build info and the process's own figures for /metrics, under the names Prometheus client
// libraries use (process_*), so existing dashboards and alerts apply.
import { readdirSync } from 'node:fs'
import { buildInfo } from '../cli/build-info.ts'
import type { Metrics } from '../util/metrics.ts'

const startedAt = Date.now() - performance.now()

export function registerProcessGauges(metrics: Metrics): void {
  const b = buildInfo()
  metrics.gauge('ebmbot_build_info', 'The running version (always 1; the labels carry it)', () => [
    { labels: { version: b.version, bun: b.bun, revision: b.revision }, value: 1 },
  ])
  metrics.gauge(
    'process_cpu_seconds_total',
    'CPU time used by the bot (user and system), in seconds',
    () => {
      const u = process.cpuUsage()
      return [{ value: (u.user + u.system) / 1e6 }]
    },
    'counter',
  )
  metrics.gauge('process_resident_memory_bytes', 'Resident memory of the bot', () => [
    { value: process.memoryUsage.rss() },
  ])
  metrics.gauge('process_start_time_seconds', 'When the bot started, Unix time', () => [
    { value: Math.round(startedAt / 1000) },
  ])
  metrics.gauge('process_open_fds', 'Open file descriptors (Linux)', () => {
    try {
      return [{ value: readdirSync('/proc/self/fd').length }]
    } catch {
      return []
    }
  })
}
