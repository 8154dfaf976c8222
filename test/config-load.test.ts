// Loading the job config: valid files compile; every refusal names file, key path and line.
import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadConfigFile, loadConfigText } from '../src/config/load.ts'
import { configErrorOf, configFrom } from './support/configs.ts'
import { cleanupTemp, EXAMPLE_CONFIG, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

const BASE = `namespaces:
  demo:
    jobs:
      hello:
        run: echo Hello, [name]
    commands:
      - pattern: hello [name]
        job: hello
`

const errorOf = (yaml: string) => configErrorOf(yaml)

describe('valid configs', () => {
  test('the bundled example loads, with defaults applied and paths resolved', () => {
    const dir = tempDir()
    const config = loadConfigFile(EXAMPLE_CONFIG, { stateDir: dir })
    const demo = config.namespaces.demo!
    expect(demo.jobs.hello!.type).toBe('demo_hello')
    expect(demo.jobs.hello!.timeoutSeconds).toBe(30)
    expect(demo.jobs.fail!.timeoutSeconds).toBe(600)
    // Default working folders sit beside the state folder, never in it (jobs must not reach the database).
    expect(demo.workdir).toBe(join(`${dir}-jobs`, 'workspace', 'demo'))
    expect(config.jobsDir).toBe(`${dir}-jobs`)
  })
  test('a relative workdir resolves against the config file folder, wherever the bot runs', () => {
    const dir = tempDir()
    const file = writeConfig(dir, BASE.replace('  demo:\n', '  demo:\n    workdir: work/demo\n'))
    expect(loadConfigFile(file, { stateDir: '/x' }).namespaces.demo!.workdir).toBe(
      join(dir, 'work', 'demo'),
    )
  })
  test('durations accept seconds and units', () => {
    const c = loadConfigText(
      BASE.replace('run: echo Hello, [name]', 'run: echo Hello, [name]\n        timeout: 2h'),
      'c',
      { stateDir: '/s' },
    )
    expect(c.namespaces.demo!.jobs.hello!.timeoutSeconds).toBe(7200)
  })
})

describe('refusals name the file, the key path and the line', () => {
  test('unknown key', () => {
    const e = errorOf(
      BASE.replace(
        '        run: echo Hello, [name]\n',
        '        run: echo Hello, [name]\n        timout: 30\n',
      ),
    )
    expect(e.message).toBe(
      'conf.yaml:6: namespaces.demo.jobs.hello.timout: unknown key (check the spelling; see docs/config.schema.json for the allowed keys)',
    )
  })
  test('a jobs_dir inside the state folder is refused: jobs would reach the database', () => {
    const e = errorOf(`settings:\n  jobs_dir: /tmp/s/jobs\n${BASE}`)
    expect(e.message).toBe(
      "conf.yaml:2: settings.jobs_dir: /tmp/s/jobs is inside the state folder /tmp/s: jobs would reach the bot's database; choose a folder outside it",
    )
  })
  test('a command naming a missing job', () => {
    const e = errorOf(BASE.replace('        job: hello', '        job: helo'))
    expect(e.message).toBe(
      'conf.yaml:8: namespaces.demo.commands[0].job: no job "helo" in namespace demo (jobs: hello)',
    )
  })
  test('a placeholder the command does not capture', () => {
    const e = errorOf(BASE.replace('- pattern: hello [name]', '- pattern: hello [who]'))
    expect(e.message).toContain(
      'conf.yaml:7: namespaces.demo.commands[0].pattern: job hello uses [name] but this command does not capture it',
    )
  })
  test('two commands that could match the same text with neither more literal than the other', () => {
    const e = errorOf(
      `${BASE}      - pattern: hello [first] [last]
        job: hello2
`.replace('      hello:\n', '      hello2:\n        run: echo hi [first] [last]\n      hello:\n'),
    )
    expect(e.message).toContain(
      'conf.yaml:11: namespaces.demo.commands[1].pattern: "demo hello [first] [last]" and "demo hello [name]" (commands[0]) can match the same text and neither has a literal word where the other has a [placeholder]',
    )
  })
  test('a bad timeout', () => {
    const e = errorOf(
      BASE.replace('run: echo Hello, [name]', 'run: echo Hello, [name]\n        timeout: soon'),
    )
    expect(e.message).toStartWith(
      'conf.yaml:6: namespaces.demo.jobs.hello.timeout: bad duration "soon"',
    )
  })
  test('an unknown action and a bad report format', () => {
    const e = errorOf(
      BASE.replace('        job: hello', '        job: hello\n        action: launch').replace(
        'run: echo Hello, [name]',
        'run: echo Hello, [name]\n        report_format: html',
      ),
    )
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      'namespaces.demo.commands[0].action',
      'namespaces.demo.jobs.hello.report_format',
    ])
    expect(e.issues.every((i) => typeof i.line === 'number')).toBe(true)
  })
  test('a report format without report_stdout, which would do nothing', () => {
    const e = errorOf(
      BASE.replace(
        'run: echo Hello, [name]',
        'run: echo Hello, [name]\n        report_format: file',
      ),
    )
    expect(e.message).toStartWith(
      'conf.yaml:6: namespaces.demo.jobs.hello.report_format: report_format file shapes the posted output: set report_stdout: true too',
    )
  })
  test('a suppression command needs exactly two parameters', () => {
    const e = errorOf(`${BASE}      - pattern: quiet from [start]
        action: schedule_suppression
        job: hello
`)
    expect(e.message).toContain(
      'conf.yaml:9: namespaces.demo.commands[1].pattern: a schedule_suppression command needs exactly two parameters',
    )
  })
  test('unsafe and reserved names', () => {
    expect(errorOf(BASE.replace('  demo:', '  ../etc:')).message).toContain(
      'conf.yaml:2: namespaces.../etc: namespace must be one word',
    )
    expect(errorOf(BASE.replace('  demo:', '  my_ns:')).message).toContain(
      'namespace must be one word',
    )
    expect(errorOf(BASE.replace('  demo:', '  status:')).message).toContain(
      'conf.yaml:2: namespaces.status: "status" is a built-in command word',
    )
  })
  test('support keywords that would swallow commands', () => {
    // In Slack a message with a keyword is reposted to the team, never run.
    const pattern = errorOf(
      BASE.replace('- pattern: hello [name]', '- pattern: tech-support [name]'),
    )
    expect(pattern.message).toBe(
      'conf.yaml:7: namespaces.demo.commands[0].pattern: "tech-support [name]" holds the support keyword "tech-support": in Slack it would be reposted to the team, never run',
    )
    const ns = errorOf(
      `settings:\n  support_routes: [{keywords: [oncall], reaction: sos}]\n${BASE.replace('  demo:', '  oncall:')}`,
    )
    expect(ns.message).toBe(
      'conf.yaml:4: namespaces.oncall: "oncall" is the support keyword "oncall": in Slack its commands would be reposted to the team, never run',
    )
    const builtIn = errorOf(
      `settings:\n  support_routes:\n    - keywords: [help-desk, status]\n      reaction: sos\n    - {keywords: [until], reaction: eyes}\n${BASE}`,
    )
    expect(builtIn.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`)).toEqual([
      '3: settings.support_routes[0].keywords[1]: "status" would turn the built-in `status` command into a support call; choose another keyword',
      '5: settings.support_routes[1].keywords[0]: "until" would turn the built-in `out-of-office` command into a support call; choose another keyword',
    ])
    // Words that merely contain a keyword are fine: `tech-supportive` is not `tech-support`.
    expect(() =>
      configFrom(BASE.replace('- pattern: hello [name]', '- pattern: tech-supportive [name]')),
    ).not.toThrow()
  })
  test('a placeholder written inside quotes', () => {
    const e = errorOf(BASE.replace('run: echo Hello, [name]', 'run: echo "Hello, [name]"'))
    expect(e.message).toContain(
      'conf.yaml:5: namespaces.demo.jobs.hello.run: placeholder [name] is inside quotes',
    )
  })
  test('YAML syntax errors and duplicate keys give the line', () => {
    expect(errorOf('namespaces:\n  demo:\n    jobs: [\n').message).toMatch(
      /^conf\.yaml:\d+: YAML syntax/,
    )
    expect(errorOf(BASE + '  demo:\n    jobs: {}\n').message).toMatch(
      /^conf\.yaml:9: YAML syntax: .*[Mm]ap keys must be unique/,
    )
  })
  test('an unclosed quote is reported where it opened, not at the end of the file', () => {
    const yaml = BASE.replace('run: echo Hello, [name]', 'run: "echo Hello, [name]') + '# end\n'
    const e = errorOf(yaml)
    expect(e.message).toBe(
      'conf.yaml:5: YAML syntax: the value opened with " here is never closed (a " inside it must be escaped as \\")',
    )
    const single = errorOf(BASE.replace('run: echo Hello, [name]', "run: 'it is [name]"))
    expect(single.message).toStartWith("conf.yaml:5: YAML syntax: the value opened with ' here")
  })
  test('YAML errors end in words, never a dangling colon, and give the column', () => {
    for (const yaml of [
      'namespaces:\n  demo:\n    jobs: [\n',
      'namespaces:\n  demo:\n    jobs:\n      a: {run: x} y\n',
      BASE + '  demo:\n    jobs: {}\n',
    ]) {
      for (const line of errorOf(yaml).message.split('\n')) expect(line).not.toMatch(/:\s*$/)
    }
    expect(errorOf('namespaces:\n  demo:\n    jobs:\n      a: {run: x} y\n').message).toContain(
      '(column ',
    )
  })
  test('a run line starting with [ (a bash test) gets the hint to quote it, whichever way YAML fails', () => {
    const withTail = errorOf(
      BASE.replace('run: echo Hello, [name]', 'run: [ -f x ] && echo [name]'),
    )
    expect(withTail.message).toMatch(/^conf\.yaml:5: YAML syntax: .*quote the whole value/)
    expect(withTail.message.split('\n')).toHaveLength(1)
    const whole = errorOf(BASE.replace('run: echo Hello, [name]', 'run: [ -f x ]'))
    expect(whole.message).toStartWith(
      'conf.yaml:5: namespaces.demo.jobs.hello.run: Invalid input: expected string, received array; a value that starts with [ or { is a YAML list or map: quote the whole value',
    )
    const map = errorOf(BASE.replace('run: echo Hello, [name]', 'run: {x} [name]'))
    expect(map.message).toContain('quote the whole value')
  })
  test('an escaped \\[word] in a template is literal: no param is asked for', () => {
    const c = configFrom(
      'namespaces:\n  demo:\n    jobs:\n      arr:\n        run: a=(x y); echo ${a\\[i]} "${a\\[j]}"\n    commands:\n      - {pattern: arr, job: arr}\n',
    )
    expect(c.namespaces.demo!.jobs.arr!.run).toBe('a=(x y); echo ${a\\[i]} "${a\\[j]}"')
  })
  test('a missing namespaces key', () => {
    expect(errorOf('settings: {}\n').message).toBe('conf.yaml:1: namespaces: missing required key')
  })
  test('a file that cannot be read', () => {
    expect(() => loadConfigFile('/nonexistent/ebmbot.yaml', { stateDir: '/s' })).toThrow(
      '/nonexistent/ebmbot.yaml: cannot read the config file',
    )
  })
})

test('docs/config.schema.json is the schema the loader uses (regenerate with `bun run config:schema`)', async () => {
  const { jsonSchema } = await import('../src/config/schema.ts')
  const committed = JSON.parse(
    await Bun.file(join(import.meta.dir, '..', 'docs', 'config.schema.json')).text(),
  )
  expect(committed).toEqual(JSON.parse(JSON.stringify(jsonSchema())))
})

test('docs/configuring.md is the reference generated from the schema (regenerate with `bun run config:schema`)', async () => {
  const { configReference } = await import('../src/config/docs.ts')
  const committed = await Bun.file(join(import.meta.dir, '..', 'docs', 'configuring.md')).text()
  expect(committed).toBe(configReference())
  // Every key the loader knows is documented, defaults included.
  expect(committed).toContain('| `settings.default_timeout` | number or string | `3600` |')
  expect(committed).toContain(
    '| `namespaces.<name>.jobs.<name>.confirm` | boolean or `approvers` | `false` |',
  )
})

test("the README's example config loads", async () => {
  const readme = await Bun.file(join(import.meta.dir, '..', 'README.md')).text()
  const yaml = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(yaml).toBeDefined()
  const config = loadConfigText(yaml!, 'README.md', { stateDir: '/s' })
  expect(config.namespaces.op!.jobs.deploy).toMatchObject({
    confirm: true,
    timeoutSeconds: 1800,
    reportFormat: 'code',
  })
})

describe('switches for configs from the Python ebmbot', () => {
  const ORIGINAL = `settings: {max_parallel: unlimited}
namespaces:
  workflows:
    report_to: channel
    jobs:
      show_all:
        run: python jobs.py show --target all
      show:
        run: python jobs.py show --target [target]
        report_to: thread
        env: [{name: PYTHONPATH, value: /srv/workspace}]
    commands:
      - {pattern: "show [target]", job: show}
      - {pattern: show all, job: show_all}
`
  test('job names with underscores load; the job type is <namespace>_<job>, split at its first underscore', () => {
    const ns = configFrom(ORIGINAL).namespaces.workflows!
    expect(ns.jobs.show_all!.type).toBe('workflows_show_all')
    expect(ns.commands.map((c) => c.job)).toEqual(['show', 'show_all'])
    // Namespaces still may not hold one, so no two (namespace, job) pairs share a type.
    expect(errorOf(ORIGINAL.replace('  workflows:', '  work_flows:')).message).toContain(
      'namespaces.work_flows: namespace must be one word of letters, digits and hyphens',
    )
    expect(errorOf(ORIGINAL.replace('show_all:', 'show.all:')).message).toContain(
      'job must be one word of letters, digits, hyphens and underscores',
    )
  })
  test('report_to is set per namespace and overridden per job; thread by default', () => {
    const c = configFrom(ORIGINAL)
    expect(c.namespaces.workflows!.jobs.show_all!.reportTo).toBe('channel')
    expect(c.namespaces.workflows!.jobs.show!.reportTo).toBe('thread')
    expect(configFrom(BASE).namespaces.demo!.jobs.hello!.reportTo).toBe('thread')
    expect(errorOf(ORIGINAL.replace('report_to: thread', 'report_to: dm')).message).toContain(
      'namespaces.workflows.jobs.show.report_to',
    )
  })
  test('a literal word beats a placeholder: "show all" beside "show [target]" loads', () => {
    expect(configFrom(ORIGINAL).namespaces.workflows!.commands).toHaveLength(2)
  })
  test('max_parallel may be unlimited; other words are refused', () => {
    expect(configFrom(ORIGINAL).settings.max_parallel).toBe(Number.POSITIVE_INFINITY)
    expect(errorOf(ORIGINAL.replace('unlimited', 'lots')).message).toContain(
      'settings.max_parallel',
    )
  })
  test('an environment entry may carry a fixed value', () => {
    expect(configFrom(ORIGINAL).namespaces.workflows!.jobs.show!.env).toEqual([
      { name: 'PYTHONPATH', secret: false, value: '/srv/workspace' },
    ])
  })
  test('warnings: a Python-style {placeholder}, and a param the job never uses', () => {
    const c = configFrom(`namespaces:
  op:
    jobs:
      reconcile:
        run: fab reconcile:{concession_id},[vmpp] \${HOME}
    commands:
      - {pattern: "reconcile [concession_id] against [vmpp]", job: reconcile}
`)
    expect(c.warnings).toEqual([
      'namespaces.op.jobs.reconcile.run: {concession_id} is passed to bash as written; placeholders are [concession_id] now',
      'namespaces.op.commands[0].pattern: captures [concession_id] but job reconcile never uses it, so what is typed there is dropped',
    ])
    expect(configFrom(BASE).warnings).toBeUndefined()
  })
})
