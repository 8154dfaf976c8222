// The Metaflow verbs in the router: which words become which verb, in a thread that inspects a run
// and elsewhere, with the run verbs keeping their meaning where they should; parameter checks.
import { describe, expect, test } from 'bun:test'
import { parseFlowParams, splitParamText } from '../src/commands/metaflow-params.ts'
import { route, type Decision, type Incoming } from '../src/commands/route.ts'
import { configFrom } from './support/configs.ts'

const YAML = `
namespaces:
  demo:
    jobs: {hello: {run: echo hi}}
    commands: [{pattern: hello, job: hello}]
metaflow:
  datastore_sysroot: /srv/flows
  flows:
    HelloFlow:
      file: hello.py
      params:
        alpha: {help: learning rate}
        msg: {}
        mode: {choices: [fast, full]}
    Other_Flow: {file: other.py}
`
const config = configFrom(YAML)
const plain = configFrom(`
namespaces:
  data:
    jobs: {x: {run: echo x}}
    commands: [{pattern: "[what]", job: x}]
`)
const withData = configFrom(
  YAML.replace(
    'namespaces:\n  demo:',
    'namespaces:\n  data:\n    jobs: {x: {run: echo x}}\n    commands: [{pattern: "[what]", job: x}]\n  demo:',
  ),
)
const restricted = configFrom(
  YAML.replace(
    '  datastore_sysroot: /srv/flows',
    '  datastore_sysroot: /srv/flows\n  restricted: true',
  ),
)

const say = (text: string, extra: Partial<Incoming> = {}, cfg = config): Decision =>
  route({ config: cfg }, { text, user: 'U1', isGuest: false, isDirect: true, ...extra })
const thread = { threadMetaflow: 'HelloFlow/12' }
const mf = (text: string, extra: Partial<Incoming> = {}, cfg = config) => {
  const d = say(text, extra, cfg)
  if (d.kind !== 'metaflow')
    throw new Error(`expected a Metaflow verb for ${JSON.stringify(text)}, got ${d.kind}`)
  return d.verb
}
const replyOf = (text: string, extra: Partial<Incoming> = {}, cfg = config) => {
  const v = mf(text, extra, cfg)
  if (v.kind !== 'reply')
    throw new Error(`expected a reply for ${JSON.stringify(text)}, got ${v.kind}`)
  return v.text
}

describe('anywhere', () => {
  test.each([
    ['flows', { kind: 'flows' }],
    ['runs HelloFlow', { kind: 'runs', flow: 'HelloFlow' }],
    [
      'inspect HelloFlow/12',
      { kind: 'inspect', spec: { flow: 'HelloFlow', runId: '12', latestOnly: false } },
    ],
    [
      'inspect the latest run of HelloFlow',
      { kind: 'inspect', spec: { flow: 'HelloFlow', latestOnly: true } },
    ],
    [
      "inspect savin's latest HelloFlow",
      { kind: 'inspect', spec: { flow: 'HelloFlow', owner: 'savin', latestOnly: true } },
    ],
    [
      'inspect HelloFlow tagged production',
      { kind: 'inspect', spec: { flow: 'HelloFlow', tag: 'production', latestOnly: false } },
    ],
    [
      'watch HelloFlow/12',
      { kind: 'inspect', spec: { flow: 'HelloFlow', runId: '12', latestOnly: false }, watch: true },
    ],
    ['run HelloFlow', { kind: 'run', flow: 'HelloFlow', params: {} }],
    [
      'run helloflow alpha=0.5 msg="hello world"',
      {
        kind: 'run',
        flow: 'HelloFlow',
        params: { alpha: '0.5', msg: 'hello world' },
        typed: 'helloflow',
      },
    ],
    ['run Other_Flow', { kind: 'run', flow: 'Other_Flow', params: {} }],
    ['rerun 7', { kind: 'rerun', id: 7 }],
    ['metaflow help', { kind: 'help' }],
    ['help metaflow', { kind: 'help' }],
    ['metaflow runs HelloFlow', { kind: 'runs', flow: 'HelloFlow' }],
  ])('%s', (text, verb) => {
    expect(mf(text)).toEqual(verb as never)
  })

  test('how to inspect gives the ways to name a run', () => {
    expect(replyOf('how to inspect')).toContain("`savin's HelloFlow`")
  })
  test('run details with no run chosen explain how to choose one', () => {
    for (const t of ['steps', 'params', 'export', 'data', 'data alpha', 'logs start', 'inspect']) {
      expect(replyOf(t)).toStartWith(
        'No run is chosen in this thread yet. Say `inspect <run>` first.',
      )
    }
  })
  test('the run verbs keep status, quiet and cancel outside a Metaflow thread', () => {
    expect(say('status').kind).toBe('status')
    expect(say('cancel 4').kind).toBe('cancel_run')
    expect(say('logs 4').kind).toBe('logs')
    expect(say('quiet').kind).toBe('reply') // "Which run?"
  })
  test('bad specs and usage', () => {
    expect(replyOf('inspect HelloFlow/12/start')).toContain('names a step or task')
    expect(replyOf('runs')).toContain('Usage: `runs <Flow>`')
    expect(replyOf('metaflow frobnicate')).toContain('`metaflow help`')
  })
})

describe('run parameters', () => {
  test.each([
    [
      'run HelloFlow beta=1',
      '`HelloFlow` has no parameter `beta` that chat may set. Parameters: `alpha`, `msg`, `mode`. Nothing was started.',
    ],
    ['run HelloFlow alpha', '`alpha` needs a value: say `alpha=…`. Nothing was started.'],
    ['run HelloFlow alpha=', '`alpha` needs a value: say `alpha=…`. Nothing was started.'],
    [
      'run HelloFlow --alpha 0.5',
      'Write parameters as `name=value`, e.g. `alpha=0.5`, not `--alpha`. Nothing was started.',
    ],
    ['run HelloFlow alpha=1 alpha=2', '`alpha` is given twice. Nothing was started.'],
    [
      'run HelloFlow mode=slow',
      '`mode` must be one of `fast`, `full`, not `slow`. Nothing was started.',
    ],
    ['run HelloFlow msg="open', 'A double quote is not closed. Nothing was started.'],
    ['run Other_Flow x=1', '`Other_Flow` takes no parameters from chat. Nothing was started.'],
    [
      'run NopeFlow',
      '`NopeFlow` is not a flow I may run. Flows you may run: `HelloFlow`, `Other_Flow`.',
    ],
    ['run', 'Usage: `run <Flow> [name=value …]`. Flows you may run: `HelloFlow`, `Other_Flow`.'],
  ])('%s', (text, error) => {
    expect(replyOf(text)).toBe(error)
  })
  test('shell syntax is just text in a value', () => {
    expect(mf("run HelloFlow msg='x; rm -rf / $(id)'")).toEqual({
      kind: 'run',
      flow: 'HelloFlow',
      params: { msg: 'x; rm -rf / $(id)' },
    })
  })
  test('Slack typographic quotes count as quotes', () => {
    expect(splitParamText('msg=\u201chello there\u201d a=\u2018b c\u2019')).toEqual({
      ok: true,
      tokens: ['msg=hello there', 'a=b c'],
    })
  })
  test('parameter names match without regard to case', () => {
    const flow = config.metaflow!.flows.HelloFlow!
    expect(parseFlowParams(flow, 'ALPHA=2')).toEqual({ ok: true, params: { alpha: '2' } })
  })
})

describe('in a thread that inspects a run', () => {
  test.each([
    ['status', { kind: 'status' }],
    ['steps', { kind: 'steps' }],
    ['params', { kind: 'params' }],
    ['export', { kind: 'export' }],
    ['watch', { kind: 'watch' }],
    ['quiet', { kind: 'quiet' }],
    ['cancel', { kind: 'cancel' }],
    ['rerun', { kind: 'rerun' }],
    ['help', { kind: 'help' }],
    ['inspect', { kind: 'inspect' }],
    ['data', { kind: 'data' }],
    ['data alpha', { kind: 'data', name: 'alpha' }],
    ['data start alpha', { kind: 'data', step: 'start', name: 'alpha' }],
    ['data train/7', { kind: 'data', step: 'train', task: '7' }],
    ['logs start', { kind: 'logs', step: 'start', stream: 'stdout' }],
    ['logs start stderr', { kind: 'logs', step: 'start', stream: 'stderr' }],
    ['logs train/7 STDERR', { kind: 'logs', step: 'train', task: '7', stream: 'stderr' }],
    ['logs', { kind: 'logs', stream: 'stdout' }],
    [
      'inspect HelloFlow/13',
      { kind: 'inspect', spec: { flow: 'HelloFlow', runId: '13', latestOnly: false } },
    ],
  ])('%s', (text, verb) => {
    expect(mf(text, thread)).toEqual(verb as never)
  })
  test("with an ebmbot job in the thread, numbered verbs and the job log verbs stay the job's", () => {
    const both = { ...thread, threadRun: 5 }
    expect(say('status 4', both)).toMatchObject({ kind: 'run_status', id: 4 })
    expect(say('cancel 4', both)).toMatchObject({ kind: 'cancel_run', id: 4 })
    expect(say('logs', both)).toMatchObject({ kind: 'logs', id: 5 })
    expect(say('logs stderr', both)).toMatchObject({
      kind: 'logs',
      id: 5,
      spec: { stream: 'stderr' },
    })
    expect(mf('status', both)).toEqual({ kind: 'status' })
    expect(mf('cancel', both)).toEqual({ kind: 'cancel' })
  })
  test('bad data and logs forms get usage', () => {
    expect(replyOf('data a b c', thread)).toStartWith('Usage: `data`')
    expect(replyOf('logs start everything', thread)).toStartWith('Usage: `logs <step>`')
    expect(replyOf('data ../etc', thread)).toStartWith('Usage: `data`')
  })
})

describe('configuration and access', () => {
  test('without a metaflow section the reserved words say so, and the rest is untouched', () => {
    expect(replyOf('flows', {}, plain)).toContain('Metaflow is not set up')
    expect(replyOf('run HelloFlow', {}, plain)).toContain('Metaflow is not set up')
    expect(say('steps', {}, plain)).toMatchObject({ kind: 'reply' })
    expect((say('steps', {}, plain) as { text: string }).text).toStartWith(
      "Sorry, I didn't understand",
    )
    expect(say('rerun 7', {}, plain)).toMatchObject({ kind: 'rerun', id: 7 })
  })
  test('a namespace named like a run-detail word keeps it outside Metaflow threads', () => {
    expect(say('data foo', {}, withData).kind).toBe('schedule')
    expect(mf('data foo', thread, withData)).toEqual({ kind: 'data', name: 'foo' })
  })
  test('guests are refused when the Metaflow namespace is restricted', () => {
    expect(replyOf('flows', { isGuest: true }, restricted)).toBe(
      'Sorry, only internal members of this workspace may use the `metaflow` commands.',
    )
    expect(replyOf('status', { isGuest: true, ...thread }, restricted)).toContain(
      'only internal members',
    )
    expect(mf('flows', {}, restricted)).toEqual({ kind: 'flows' })
    // `rerun N` may be any job's: its own namespace's rules decide, when it is carried out.
    expect(mf('rerun 7', { isGuest: true }, restricted)).toEqual({ kind: 'rerun', id: 7 })
  })
})

describe('conversational verbs and typos', () => {
  test.each([
    ['hello', { kind: 'intro' }],
    ['Hi!', { kind: 'intro' }],
    ['new thread', { kind: 'intro' }],
    ['version', { kind: 'version' }],
    ['--version', { kind: 'version' }],
    ['how to run', { kind: 'howto', topic: 'run' }],
    ['how to set parameters', { kind: 'howto', topic: 'params' }],
    ['how do I pass params', { kind: 'howto', topic: 'params' }],
    ['params HelloFlow', { kind: 'flow-params', flow: 'HelloFlow' }],
    ['show runs HelloFlow', { kind: 'runs', flow: 'HelloFlow' }],
    [
      'insepct HelloFlow/12',
      { kind: 'did-you-mean', typed: 'insepct HelloFlow/12', meant: 'inspect HelloFlow/12' },
    ],
  ])('%s', (text, verb) => {
    expect(mf(text)).toEqual(verb as never)
  })
  test('in a thread: loud is watch, runs alone is its flow, typos of thread verbs get a hint', () => {
    expect(mf('loud', thread)).toEqual({ kind: 'watch' })
    expect(mf('runs', thread)).toEqual({ kind: 'runs', flow: 'HelloFlow' })
    expect(mf('stpes', thread)).toEqual({ kind: 'did-you-mean', typed: 'stpes', meant: 'steps' })
    expect(mf('exprot', thread)).toEqual({
      kind: 'did-you-mean',
      typed: 'exprot',
      meant: 'export',
    })
  })
  test('no hint for short words, thread-only verbs outside a thread, or words a namespace has', () => {
    expect(say('stpes').kind).toBe('reply') // the router's own "didn't understand"
    expect(say('run').kind).toBe('metaflow') // usage of run, not a typo of runs
    expect(say('helo').kind).toBe('reply')
    expect(say('dta', thread).kind).not.toBe('metaflow')
    // A namespace named like a greeting keeps its word.
    const greeter = configFrom(
      YAML.replace(
        'namespaces:\n  demo:',
        'namespaces:\n  hello:\n    jobs: {x: {run: echo x}}\n    commands: [{pattern: "[what]", job: x}]\n  demo:',
      ),
    )
    expect(say('hello', {}, greeter).kind).not.toBe('metaflow')
    // A guest of a restricted Metaflow still gets the spelling hint (it gives nothing away).
    expect(mf('insepct HelloFlow/12', { isGuest: true }, restricted).kind).toBe('did-you-mean')
  })
})
