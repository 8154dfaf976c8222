// A config text the `yaml` package has read before is read by Bun's faster parser on the next
// start, and only then: a text the two parsers read differently, a refused text and an edited
// one are read by the package, with their lines in the messages, every time.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../src/config/errors.ts'
import { knownValue, rememberText } from '../src/config/known-texts.ts'
import { loadConfigText } from '../src/config/load.ts'
import { OPS_YAML } from './support/configs.ts'

let state: string
const memo = () => join(state, 'config-texts')
const load = (text: string) => loadConfigText(text, 'conf.yaml', { stateDir: state })
const refusal = (text: string) => {
  try {
    load(text)
  } catch (e) {
    if (e instanceof ConfigError) return e.message
    throw e
  }
  throw new Error('expected the config to be refused')
}

beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'ebmbot-known-'))
})
afterEach(() => rmSync(state, { recursive: true, force: true }))

describe('a config read before', () => {
  test('is remembered by hash, privately, and loads the same the next time', () => {
    const first = load(OPS_YAML)
    expect(existsSync(memo())).toBe(true)
    const kept = readFileSync(memo(), 'utf8')
    expect(kept).toMatch(/^[0-9a-f]{64}\n$/)
    expect(kept).not.toContain('deploy')
    expect(statSync(memo()).mode & 0o777).toBe(0o600)
    expect(knownValue(OPS_YAML, state)).toEqual(Bun.YAML.parse(OPS_YAML))
    expect(load(OPS_YAML)).toEqual(first)
  })
  test('an edited text is read again, and a mistake in it is reported at its line', () => {
    load(OPS_YAML)
    const edited = OPS_YAML.replace(
      '        report_stdout: true\n',
      '        report_stdout: true\n        timout: 3\n',
    )
    expect(knownValue(edited, state)).toBeUndefined()
    expect(refusal(edited)).toBe(
      'conf.yaml:14: namespaces.op.jobs.deploy.timout: unknown key (check the spelling; see docs/config.schema.json for the allowed keys)',
    )
  })
  test('a few texts are kept, the oldest dropped first', () => {
    const texts = Array.from({ length: 10 }, (_, i) => `${OPS_YAML}# revision ${i}\n`)
    for (const t of texts) load(t)
    expect(readFileSync(memo(), 'utf8').trim().split('\n')).toHaveLength(8)
    expect(knownValue(texts[0]!, state)).toBeUndefined()
    expect(knownValue(texts[9]!, state)).toBeDefined()
  })
})

describe('read by the yaml package every time', () => {
  test('a repeated key, which Bun would read as the last one, is refused at every load', () => {
    const twice = OPS_YAML.replace('  max_parallel: 2\n', '  max_parallel: 2\n  max_parallel: 9\n')
    for (let i = 0; i < 2; i++) expect(refusal(twice)).toContain('Map keys must be unique')
    expect(existsSync(memo())).toBe(false)
  })
  test('a text the two parsers read differently is not remembered', () => {
    const yaml11 = '%YAML 1.1\n---\nflag: yes\n'
    rememberText(yaml11, { flag: true }, state)
    expect(existsSync(memo())).toBe(false)
    expect(knownValue(yaml11, state)).toBeUndefined()
  })
  test('with no state folder yet (the first start), nothing is kept and the config loads', () => {
    const missing = join(state, 'not-yet')
    const c = loadConfigText(OPS_YAML, 'conf.yaml', { stateDir: missing })
    expect(Object.keys(c.namespaces)).toEqual(['op', 'demo'])
    expect(existsSync(missing)).toBe(false)
  })
})
