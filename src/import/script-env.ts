// What a workspace script needs from its environment, read from its text: the variables it reads
// (os.environ, getenv, environs' env.str…, $VAR in shell), and whether it imports the Python
// bot's settings module (which reads variables of its own when imported). Pure.

const PY_READS = [
  /\benviron\s*\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g,
  /\benviron\.get\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g,
  /\bgetenv\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g,
  /\benv\.(?:str|int|bool|float|path|list|json|url)\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g,
]
const SH_READS = /\$\{?([A-Z][A-Z0-9_]*)/g
/** Set by the shell or the bot itself, not configuration a job needs handed on. */
const NOT_CONFIG = new Set([
  'PATH',
  'HOME',
  'LANG',
  'PWD',
  'USER',
  'SHELL',
  'PYTHONPATH',
  'OPTARG',
  'OPTIND',
])

export function envNamesIn(text: string, kind: 'python' | 'shell'): string[] {
  const res = kind === 'python' ? PY_READS : [SH_READS]
  const names = res.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!))
  return [...new Set(names)].filter((n) => !NOT_CONFIG.has(n)).sort()
}

export const importsBotSettings = (text: string) =>
  /^\s*(?:from\s+(?:ebmbot|bennettbot)\s+import\s+[^\n]*\bsettings\b|import\s+(?:ebmbot|bennettbot)\.settings\b|from\s+(?:ebmbot|bennettbot)\.settings\s+import)/m.test(
    text,
  )

/** A name that by its look holds a credential: its value is masked in what users see. */
export const looksSecret = (name: string) =>
  /TOKEN|SECRET|PASSWORD|PASSWD|_KEY\b|KEY$|CREDENTIALS/.test(name)
