// Config errors that say which file, which key and which line, and how to fix it.

export interface ConfigIssue {
  /** key path, e.g. namespaces.demo.jobs.hello.timeout */
  path: string
  line?: number
  message: string
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(source, i)).join('\n'))
    this.name = 'ConfigError'
  }
}

function formatIssue(source: string, i: ConfigIssue): string {
  const where = i.line ? `${source}:${i.line}` : source
  return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`
}

export const keyPath = (path: readonly PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[')
