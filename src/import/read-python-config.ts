// Reads a Python ebmbot's job_configs.py: evaluated by python3 when the host has one, else its
// `raw_config = {...}` read as a plain literal. Says which was used, and why when it fell back.
import { readFileSync } from 'node:fs'
import { ImportError } from './import-error.ts'
import { evaluateWithPython } from './python-eval.ts'
import { literalAssignment, PyLiteralError } from './py-literal.ts'

export interface ReadResult {
  raw: unknown
  /** one line saying how the file was read, for the output's header */
  method: string
}

export function readPythonConfig(
  file: string,
  opts: { workspace: string; writeable: string; path?: string },
): ReadResult {
  let src: string
  try {
    src = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ImportError(`cannot read ${file}: ${(e as Error).message}`)
  }
  const py = evaluateWithPython(file, opts)
  if (py.ok) return { raw: py.value, method: `evaluated with ${py.python}` }
  try {
    const raw = literalAssignment(src, 'raw_config')
    if (raw === undefined)
      throw new ImportError(`${file}: no top-level \`raw_config = {...}\` (${py.reason})`)
    return { raw, method: `read as a plain literal (${py.reason})` }
  } catch (e) {
    if (e instanceof PyLiteralError)
      throw new ImportError(
        `${file}: ${py.reason}; and raw_config is not a plain literal at ${e.message}`,
      )
    throw e
  }
}
