// Evaluates a Python ebmbot's job_configs.py with the host's python3 and returns its `raw_config`
// as JSON. The file is code (it imports the bot's settings, may build strings), so running it is
// the faithful reading; the bot's own package is stood in for, so nothing else need be installed.

/**
 * Runs the module's top-level statements in order and stops right after the one assigning
 * raw_config: the original's build_config, which runs next, rewrites it in place.
 */
const DRIVER = String.raw`
import ast, copy, json, os, pathlib, sys, types
path, workspace, writeable = sys.argv[1], sys.argv[2], sys.argv[3]

class Settings(types.ModuleType):
    def __getattr__(self, name):
        return None

settings = Settings("settings")
settings.WORKSPACE_DIR = pathlib.Path(workspace)
settings.WRITEABLE_WORKSPACE_DIR = pathlib.Path(writeable)
settings.WRITEABLE_DIR = pathlib.Path(writeable).parent
for pkg in ("ebmbot", "bennettbot"):
    mod = types.ModuleType(pkg)
    mod.settings = settings
    sys.modules[pkg] = mod
    sys.modules[pkg + ".settings"] = settings
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))

with open(path, encoding="utf-8") as f:
    tree = ast.parse(f.read(), path)
scope = {"__name__": "job_configs", "__file__": path}
for node in tree.body:
    exec(compile(ast.Module([node], []), path, "exec"), scope)
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    if any(isinstance(t, ast.Name) and t.id == "raw_config" for t in targets):
        json.dump(copy.deepcopy(scope["raw_config"]), sys.stdout)
        sys.exit(0)
sys.stderr.write("the file assigns no raw_config at its top level\n")
sys.exit(3)
`

export type PythonResult =
  | { ok: true; value: unknown; python: string }
  | { ok: false; reason: string; python?: string }

export function evaluateWithPython(
  file: string,
  opts: { workspace: string; writeable: string; path?: string },
): PythonResult {
  const python = Bun.which('python3', { PATH: opts.path ?? process.env.PATH ?? '' })
  if (!python) return { ok: false, reason: 'no python3 on PATH' }
  const proc = Bun.spawnSync([python, '-c', DRIVER, file, opts.workspace, opts.writeable], {
    stdout: 'pipe',
    stderr: 'pipe',
    // Only what finding and running python3 needs: the bot's own secrets stay out of it.
    env: {
      PATH: opts.path ?? process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    timeout: 30_000,
  })
  if (proc.exitCode !== 0) {
    const err = proc.stderr.toString().trim().split('\n').slice(-1)[0] || `exit ${proc.exitCode}`
    return { ok: false, reason: `python3 could not evaluate it: ${err}`, python }
  }
  try {
    return { ok: true, value: JSON.parse(proc.stdout.toString()), python }
  } catch (e) {
    return { ok: false, reason: `python3 printed no JSON: ${(e as Error).message}`, python }
  }
}
