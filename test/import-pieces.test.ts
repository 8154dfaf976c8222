// The importer's pure pieces: the Python literal reader, the template conversion, what a script
// reads from its environment, and the mapping's refusals.
import { describe, expect, test } from 'bun:test'
import { convertTemplate, jobEnv } from '../src/import/map-job.ts'
import { mapConfig } from '../src/import/map-config.ts'
import { literalAssignment, parsePyLiteral } from '../src/import/py-literal.ts'
import { checkRawConfig } from '../src/import/raw-config.ts'
import { envNamesIn, importsBotSettings } from '../src/import/script-env.ts'
import type { WorkspaceFacts } from '../src/import/workspace-facts.ts'

describe('Python literals', () => {
  test('dicts, lists, tuples, True/False/None, numbers, comments and trailing commas', () => {
    expect(
      parsePyLiteral(`{
  "a": [1, -2, 3.5, 0x1f],  # a comment
  'b': (True, False, None,),
  "c": ("one",),
  "d": ("x"),
}`),
    ).toEqual({ a: [1, -2, 3.5, 31], b: [true, false, null], c: ['one'], d: 'x' })
  })
  test('strings: escapes, raw strings, triple quotes, adjacent strings joined', () => {
    expect(parsePyLiteral(String.raw`"tab\there \"q\" \x41\u00e9 \d"`)).toBe('tab\there "q" Aé \\d')
    expect(parsePyLiteral(String.raw`r"\n stays"`)).toBe('\\n stays')
    expect(parsePyLiteral('"""two\nlines"""')).toBe('two\nlines')
    expect(parsePyLiteral('("Set out of office "\n "(inclusive)")')).toBe(
      'Set out of office (inclusive)',
    )
  })
  test('the assignment is found at the top level; code is an error naming its line', () => {
    const src = 'from x import settings\n\nraw_config = {\n  "a": settings.X,\n}\nconfig = 1\n'
    expect(() => literalAssignment(src, 'raw_config')).toThrow('line 4: settings is a name')
    expect(literalAssignment('raw_config: dict = {"a": 1}\n', 'raw_config')).toEqual({ a: 1 })
    expect(literalAssignment('config = {}\n', 'raw_config')).toBeUndefined()
    expect(() => parsePyLiteral('f"{x}"')).toThrow('an f-string is not a literal')
    expect(() => parsePyLiteral('{"a": 1')).toThrow('line 1')
  })
})

describe('templates', () => {
  test('{name} becomes [name]; doubled braces are literal braces', () => {
    expect(convertTemplate('fab call:{a},{b} --x {{y}}', 'j')).toBe('fab call:[a],[b] --x {y}')
  })
  test('what str.format would not have filled plainly is refused, naming the job', () => {
    expect(() => convertTemplate('echo {0}', 'raw_config["op"]["jobs"]["x"]')).toThrow(
      'raw_config["op"]["jobs"]["x"]: the field {0} is not a plain {name}',
    )
    expect(() => convertTemplate('echo {a!r}', 'j')).toThrow('{a!r}')
    expect(() => convertTemplate("echo '{a}'", 'j')).toThrow('{a} is inside quotes')
    expect(() => convertTemplate('ls [abc]', 'j')).toThrow(
      '[abc] in the command would become a placeholder',
    )
  })
})

describe('what scripts read', () => {
  test('os.environ, getenv and environs reads, and $VARS in shell; not PATH or HOME', () => {
    const py = `import os\nfrom os import environ\nT = os.environ["TOKEN_A"]\nU = environ.get('URL_B')\nos.getenv("C")\nenv.str("D_KEY")\nos.environ["PATH"]`
    expect(envNamesIn(py, 'python')).toEqual(['C', 'D_KEY', 'TOKEN_A', 'URL_B'])
    expect(envNamesIn('echo "$LOG_DIR" ${HOME} $1', 'shell')).toEqual(['LOG_DIR'])
  })
  test('imports of the bot settings module, under either package name', () => {
    expect(importsBotSettings('from bennettbot import settings\n')).toBe(true)
    expect(importsBotSettings('from ebmbot.settings import X\n')).toBe(true)
    expect(importsBotSettings('from workspace import settings\n')).toBe(false)
  })
  test('the environment: PYTHONPATH, the bot tokens empty, secrets marked', () => {
    expect(
      jobEnv({
        pythonPath: '/w:/',
        reads: ['API_TOKEN', 'NAME'],
        settings: ['SLACK_BOT_TOKEN', 'NAME'],
      }),
    ).toEqual([
      { name: 'PYTHONPATH', value: '/w:/' },
      { name: 'SLACK_BOT_TOKEN', value: '' },
      { name: 'API_TOKEN', secret: true },
      'NAME',
    ])
  })
})

describe('mapping refusals', () => {
  const facts: WorkspaceFacts = {
    folders: new Set(),
    env: {},
    shared: [],
    settingsUsers: new Set(),
    settingsEnv: [],
  }
  const map = (raw: unknown) => mapConfig(checkRawConfig(raw), facts)
  const ns = (
    slack: unknown[],
    jobs: Record<string, unknown> = { a: { run_args_template: 'echo {x}' } },
  ) => ({
    demo: { jobs, slack },
  })
  const cmd = (command: string, job_type = 'a') => ({
    command,
    help: '',
    action: 'schedule_job',
    job_type,
  })
  test('a command that does not capture what its job needs (the original failed at run time)', () => {
    expect(() => map(ns([cmd('go')]))).toThrow(
      'raw_config["demo"]["slack"][0]: job a uses {x} but the command does not capture [x]',
    )
  })
  test('a command naming a missing job, a reserved namespace, an underscore namespace', () => {
    expect(() => map(ns([cmd('go [x]', 'b')]))).toThrow('no job "b" in this namespace')
    expect(() => map({ status: { jobs: {}, slack: [] } })).toThrow(
      '"status" is a built-in command word',
    )
    expect(() => map({ my_ns: { jobs: {}, slack: [] } })).toThrow('raw_config["my_ns"]')
  })
  test('truly ambiguous commands; a literal beside a placeholder is fine', () => {
    const jobs = { a: { run_args_template: 'echo {x}' }, b: { run_args_template: 'echo {x} {y}' } }
    expect(() => map(ns([cmd('go [x]'), cmd('go [x] [y]', 'b')], jobs))).toThrow(
      '"go [x]" and "go [x] [y]" can match the same text',
    )
    expect(() => map(ns([cmd('go [x]'), cmd('go now [x]')]))).not.toThrow()
  })
})
