// What the importer learns from the Python bot's workspace folder: which namespaces have a folder
// there, the variables each one's scripts read, and those the bot's settings module reads. I/O.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { envNamesIn, importsBotSettings } from './script-env.ts'

export interface WorkspaceFacts {
  /** absolute path of the workspace folder, when given */
  dir?: string
  /** namespaces with a folder of their own in the workspace */
  folders: Set<string>
  /** variables read by the scripts of each namespace folder, and of the shared folders */
  env: Record<string, string[]>
  shared: string[]
  /** namespace folders whose scripts import the Python bot's settings module */
  settingsUsers: Set<string>
  /** variables the settings module reads (from the checkout beside the workspace) */
  settingsEnv: string[]
}

const SKIP = new Set(['__pycache__', '.git', 'node_modules', '.venv', 'venv'])

function scripts(dir: string, depth = 0): string[] {
  if (depth > 4) return []
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return []
    const p = join(dir, name)
    const st = statSync(p)
    if (st.isDirectory()) return scripts(p, depth + 1)
    return ['.py', '.sh'].includes(extname(name)) && st.size < 1_000_000 ? [p] : []
  })
}

function readFolder(dir: string) {
  const env = new Set<string>()
  let settings = false
  for (const f of scripts(dir)) {
    const text = readFileSync(f, 'utf8')
    for (const n of envNamesIn(text, f.endsWith('.py') ? 'python' : 'shell')) env.add(n)
    if (f.endsWith('.py') && importsBotSettings(text)) settings = true
  }
  return { env: [...env].sort(), settings }
}

export function workspaceFacts(dir: string | undefined, namespaces: string[]): WorkspaceFacts {
  const facts: WorkspaceFacts = {
    dir,
    folders: new Set(),
    env: {},
    shared: [],
    settingsUsers: new Set(),
    settingsEnv: [],
  }
  if (!dir) return facts
  const shared = new Set<string>()
  let sharedSettings = false
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (SKIP.has(name) || !statSync(p).isDirectory()) continue
    const { env, settings } = readFolder(p)
    if (namespaces.includes(name)) {
      facts.folders.add(name)
      facts.env[name] = env
      if (settings) facts.settingsUsers.add(name)
    } else {
      // A folder that is no namespace (utils/) holds modules the namespaces' scripts import.
      for (const n of env) shared.add(n)
      sharedSettings ||= settings
    }
  }
  if (sharedSettings) for (const n of facts.folders) facts.settingsUsers.add(n)
  facts.shared = [...shared].sort()
  for (const pkg of ['ebmbot', 'bennettbot']) {
    const file = join(dirname(dir), pkg, 'settings.py')
    if (existsSync(file)) facts.settingsEnv = envNamesIn(readFileSync(file, 'utf8'), 'python')
  }
  return facts
}
