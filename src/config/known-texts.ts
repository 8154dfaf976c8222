// Config texts this bot has read before, so a start can read them with Bun's own YAML parser.
// Bun's parser reads a config in well under a millisecond; the `yaml` package, which gives every
// key its line for the error messages, takes 10 ms and more when the process is new, a fifth of
// the bot's start. The two differ in corners: Bun's keeps the last of a repeated key where the
// package refuses it, and reads `<<` merges, tags and YAML 1.1 directives its own way. So Bun's
// reading is used only for a text the package has already read without errors to the very same
// value, under the same versions of the package and the runtime: such texts are remembered by
// hash in the state folder (a hash only, never the text, which can hold secrets).
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import yamlPackage from 'yaml/package.json' with { type: 'json' }

const FILE = 'config-texts'
/** A few texts: a reload back to the previous config stays fast, the file stays small. */
const KEEP = 8

function keyOf(text: string): string {
  return new Bun.CryptoHasher('sha256')
    .update(`${Bun.version} ${Bun.revision} yaml@${yamlPackage.version}\n`)
    .update(text)
    .digest('hex')
}

function known(stateDir: string): string[] {
  try {
    return readFileSync(join(stateDir, FILE), 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}

/** The text's value read by Bun's parser, when the `yaml` package has read it the same before. */
export function knownValue(text: string, stateDir: string): unknown {
  if (!known(stateDir).includes(keyOf(text))) return undefined
  try {
    return Bun.YAML.parse(text)
  } catch {
    return undefined
  }
}

/**
 * After the `yaml` package read `text` to `value` with no error: remembers the text when Bun's
 * parser reads it to exactly the same value. Best effort: a state folder that is not there yet
 * (the first start) or cannot be written only means the next start reads it the slow way again.
 */
export function rememberText(text: string, value: unknown, stateDir: string): void {
  let same = false
  try {
    same = Bun.deepEquals(Bun.YAML.parse(text), value, true)
  } catch {}
  if (!same) return
  const key = keyOf(text)
  const keys = known(stateDir)
  if (keys.includes(key)) return
  const file = join(stateDir, FILE)
  try {
    writeFileSync(`${file}.tmp`, `${[...keys, key].slice(-KEEP).join('\n')}\n`, { mode: 0o600 })
    renameSync(`${file}.tmp`, file)
  } catch {}
}
