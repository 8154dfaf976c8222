// Parses the command line with node:util's parseArgs: known flags only, the config flag after
// the subcommand (or before it), `--` to pass text that starts with a dash.
import { parseArgs } from 'node:util'

export class UsageError extends Error {}

export interface Args {
  positional: string[]
  config?: string
  /** config import: where the Python jobs ran, and the Python bot's queue to carry over */
  workspace?: string
  queue?: string
  /** migrate --to: the PostgreSQL URL to copy into, the SQLite file to copy from, and how */
  to?: string
  db?: string
  force: boolean
  dryRun: boolean
  help: boolean
  version: boolean
}

export function parseCommandLine(argv: string[]): Args {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        workspace: { type: 'string' },
        queue: { type: 'string' },
        to: { type: 'string' },
        db: { type: 'string' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    })
    if (values.config === '') throw new UsageError('--config needs a file')
    for (const k of ['workspace', 'queue', 'db'] as const)
      if (values[k] === '') throw new UsageError(`--${k} needs a path`)
    if (values.to === '') throw new UsageError('--to needs a postgres:// URL')
    return {
      positional: positionals,
      config: values.config,
      workspace: values.workspace,
      queue: values.queue,
      to: values.to,
      db: values.db,
      force: !!values.force,
      dryRun: !!values['dry-run'],
      help: !!values.help,
      version: !!values.version,
    }
  } catch (e) {
    if (e instanceof UsageError) throw e
    // parseArgs names the flag and what is wrong with it; keep that line, without its error code.
    throw new UsageError(e instanceof Error ? e.message.split(/\.\s/)[0]! : String(e))
  }
}
