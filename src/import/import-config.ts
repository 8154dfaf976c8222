// `ebmbot config import`: a Python ebmbot's job_configs.py (and optionally its queue) in, this
// bot's YAML config out, checked by the real loader before it is printed.
import { existsSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { loadConfigText } from '../config/load.ts'
import { ConfigError } from '../config/errors.ts'
import { openQueue } from '../queue/db.ts'
import { carryQueue } from './carry-queue.ts'
import { mapConfig } from './map-config.ts'
import { checkRawConfig } from './raw-config.ts'
import { ImportError } from './import-error.ts'
import { readPythonConfig } from './read-python-config.ts'
import { workspaceFacts } from './workspace-facts.ts'
import { renderYaml } from './yaml-out.ts'

export interface ImportOptions {
  file: string
  workspace?: string
  queue?: string
  stateDir: string
  now?: number
}

export interface ImportResult {
  yaml: string
  /** for stderr: how the file was read, what needs a person, what was carried over */
  notes: string[]
}

export async function importConfig(opts: ImportOptions): Promise<ImportResult> {
  const workspace = opts.workspace ? resolve(opts.workspace) : undefined
  if (workspace && !(existsSync(workspace) && statSync(workspace).isDirectory()))
    throw new ImportError(`--workspace ${opts.workspace}: not a folder`)
  const read = readPythonConfig(opts.file, {
    workspace: workspace ?? join(opts.stateDir, 'workspace'),
    writeable: join(opts.stateDir, 'workspace'),
  })
  const raw = checkRawConfig(read.raw)
  const facts = workspaceFacts(workspace, Object.keys(raw))
  const mapped = mapConfig(raw, facts)
  const header = [
    `Converted from ${basename(opts.file)} by \`ebmbot config import\` (${read.method}).`,
    'Remarks mark each choice made for you; check the file with `ebmbot config check --config FILE`.',
  ]
  const yaml = renderYaml(mapped.config, header, mapped.remarks)
  // What is printed must load as it is: a refusal here is a bug in the importer, said plainly.
  let config: ReturnType<typeof loadConfigText>
  try {
    config = loadConfigText(yaml, 'the converted config', { stateDir: opts.stateDir })
  } catch (e) {
    if (e instanceof ConfigError)
      throw new ImportError(`the converted config does not load (an importer bug):\n${e.message}`)
    throw e
  }
  const notes = [`read ${opts.file}: ${read.method}`, ...mapped.notes]
  for (const w of config.warnings ?? []) notes.push(`warning: ${w}`)
  if (opts.queue) {
    if (!existsSync(opts.queue)) throw new ImportError(`--queue ${opts.queue}: no such file`)
    const q = openQueue(join(opts.stateDir, 'ebmbot.db'))
    try {
      const r = await carryQueue(opts.queue, q, config, opts.now ?? Date.now())
      notes.push(
        `carried over into ${q.location}: ${r.requests} scheduled job${r.requests === 1 ? '' : 's'}, ${r.suppressions} suppression${r.suppressions === 1 ? '' : 's'}`,
        ...r.notes,
      )
    } finally {
      q.close()
    }
  }
  return { yaml, notes }
}
