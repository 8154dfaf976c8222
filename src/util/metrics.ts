// A small Prometheus registry: counters and histograms with labels, rendered in the text format.
// Shared by every worker in the process; /metrics renders it.

type Labels = Record<string, string>
const key = (labels: Labels) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))
const render = (labels: Labels) => {
  const e = Object.entries(labels)
  return e.length
    ? `{${e.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`
    : ''
}

class Counter {
  private values = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels)
    const cur = this.values.get(k)
    if (cur) cur.value += by
    else this.values.set(k, { labels, value: by })
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.value ?? 0
  }
  lines(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map((v) => `${this.name}${render(v.labels)} ${v.value}`),
    ]
  }
}

class Histogram {
  private series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = key(labels)
    let s = this.series.get(k)
    if (!s)
      this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }))
    this.buckets.forEach((b, i) => value <= b && s.counts[i]!++)
    s.sum += value
    s.count++
  }
  lines(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) =>
        out.push(`${this.name}_bucket${render({ ...s.labels, le: String(b) })} ${s.counts[i]}`),
      )
      out.push(`${this.name}_bucket${render({ ...s.labels, le: '+Inf' })} ${s.count}`)
      out.push(
        `${this.name}_sum${render(s.labels)} ${s.sum}`,
        `${this.name}_count${render(s.labels)} ${s.count}`,
      )
    }
    return out
  }
}

/** Gauges are read when rendered (queue depth comes from the database, not from a variable). */
export type GaugeFn = () =>
  | { labels?: Labels; value: number }[]
  | Promise<{ labels?: Labels; value: number }[]>

export class Metrics {
  readonly runsFinished = new Counter(
    'ebmbot_runs_finished_total',
    'Runs finished, by job type and final state',
  )
  readonly runDuration = new Histogram(
    'ebmbot_run_duration_seconds',
    'Run duration from start to finish',
    [1, 5, 15, 60, 300, 900, 3600],
  )
  readonly webhookRequests = new Counter(
    'ebmbot_webhook_requests_total',
    'Webhook requests, by project and outcome',
  )
  readonly slackEvents = new Counter(
    'ebmbot_slack_events_total',
    'Slack envelopes received, by type and outcome',
  )
  private gauges = new Map<string, { help: string; fn: GaugeFn; type: 'gauge' | 'counter' }>()

  /** A series read at scrape time; `counter` for totals kept elsewhere (CPU seconds). */
  gauge(name: string, help: string, fn: GaugeFn, type: 'gauge' | 'counter' = 'gauge'): void {
    this.gauges.set(name, { help, fn, type })
  }

  async render(): Promise<string> {
    const lines = [
      ...this.runsFinished.lines(),
      ...this.runDuration.lines(),
      ...this.webhookRequests.lines(),
      ...this.slackEvents.lines(),
    ]
    for (const [name, g] of this.gauges) {
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} ${g.type}`)
      for (const v of await g.fn()) lines.push(`${name}${render(v.labels ?? {})} ${v.value}`)
    }
    return lines.join('\n') + '\n'
  }
}
