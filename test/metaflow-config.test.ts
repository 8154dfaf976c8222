// The `metaflow` config section: flows become jobs of their own namespace, paths resolve against
// the config file, refusals name file, key path and line; the command a flow run gets; where the
// bot reads Metaflow from (config first, Metaflow's variables as the fallback).
import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ConfigError } from '../src/config/errors.ts'
import { readEnvironment } from '../src/config/env.ts'
import { loadConfigFile, loadConfigText } from '../src/config/load.ts'
import { launchSettings, metaflowSourceFor } from '../src/metaflow/deployment.ts'
import { flowCommand, runIdFilePath } from '../src/metaflow/launch.ts'
import { ServiceSource } from '../src/metaflow/source.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

const YAML = `namespaces:
  demo:
    jobs: {hello: {run: echo hi}}
    commands: [{pattern: hello, job: hello}]
metaflow:
  service_url: http://metaflow.internal:8080/api
  auth_key_env: MF_KEY
  datastore_sysroot: data
  user: flows-bot
  flows:
    Hello_Flow:
      file: flows/hello.py
      python: /opt/venv/bin/python
      timeout: 2h
      params: [alpha, learning_rate]
      confirm: true
`

function errorOf(yaml: string): string {
  try {
    loadConfigText(yaml, 'conf.yaml', { stateDir: '/tmp/s', baseDir: '/cfg' })
  } catch (e) {
    if (e instanceof ConfigError) return e.message
    throw e
  }
  throw new Error('expected the config to be refused')
}

describe('loading', () => {
  test('each flow becomes a job of the metaflow namespace, with paths resolved against the config file', () => {
    const dir = tempDir()
    const config = loadConfigFile(writeConfig(dir, YAML), { stateDir: '/state' })
    const mf = config.metaflow!
    expect(mf.serviceUrl).toBe('http://metaflow.internal:8080/api')
    expect(mf.datastoreSysroot).toBe(join(dir, 'data'))
    const flow = mf.flows.Hello_Flow!
    expect(flow).toMatchObject({
      file: join(dir, 'flows', 'hello.py'),
      workdir: join(dir, 'flows'),
      python: '/opt/venv/bin/python',
      job: 'Hello-Flow',
      jobType: 'metaflow_Hello-Flow',
    })
    const job = config.namespaces.metaflow!.jobs['Hello-Flow']!
    expect(job).toMatchObject({ type: 'metaflow_Hello-Flow', timeoutSeconds: 7200, confirm: true })
    // The key reaches the flow only through the allowlist, marked secret so reports mask it.
    expect(job.env).toContainEqual({ name: 'MF_KEY', secret: true })
    expect(job.env).toContainEqual({ name: 'METAFLOW_SERVICE_URL', secret: false })
  })
  test('defaults: namespace metaflow, python3, user ebmbot, a 10 s watch', () => {
    const c = loadConfigText('namespaces: {}\nmetaflow: {}\n', 'c', {
      stateDir: '/s',
      baseDir: '/cfg',
    })
    expect(c.metaflow).toEqual({
      namespace: 'metaflow',
      authKeyEnv: 'METAFLOW_SERVICE_AUTH_KEY',
      restricted: false,
      user: 'ebmbot',
      watchIntervalSeconds: 10,
      flows: {},
    })
    expect(c.namespaces.metaflow?.description).toBe('Metaflow runs: say `metaflow help`')
  })
})

describe('refusals name the file, the key path and the line', () => {
  test.each([
    [
      YAML.replace('params: [alpha, learning_rate]', 'params: [alpha, tag]'),
      'conf.yaml:15: metaflow.flows.Hello_Flow.params: "tag" is an option of `run` itself, not a flow parameter',
    ],
    [
      YAML.replace('    Hello_Flow:', '    _Hidden:'),
      'conf.yaml:11: metaflow.flows._Hidden: a flow name is its Python class name',
    ],
    [
      YAML.replace('  user: flows-bot', '  user: flows-bot\n  namespace: demo'),
      'conf.yaml:10: metaflow.namespace: namespace "demo" already exists; the Metaflow flows need a namespace of their own (set metaflow.namespace)',
    ],
    [
      YAML.replace('  user: flows-bot', '  user: flows-bot\n  namespace: status'),
      'conf.yaml:10: metaflow.namespace: "status" is a built-in command word; choose another namespace name',
    ],
    [
      YAML.replace('http://metaflow', 'http://bob:pw@metaflow'),
      'conf.yaml:6: metaflow.service_url: put the service credentials in the variable named by auth_key_env, not in the URL',
    ],
    [
      YAML.replace('      timeout: 2h', '      timeout: soon'),
      'conf.yaml:14: metaflow.flows.Hello_Flow.timeout: bad duration "soon": use seconds (e.g. 600) or "500ms", "90s", "10m", "2h", more than 0 and at most 7 days',
    ],
    [
      YAML.replace('      confirm: true', '      confirm: true\n      params_typo: 1'),
      'conf.yaml:17: metaflow.flows.Hello_Flow.params_typo: unknown key (check the spelling; see docs/config.schema.json for the allowed keys)',
    ],
    [
      YAML.replace(
        '    Hello_Flow:',
        '    HelloFlow: {file: a.py}\n    helloflow: {file: b.py}\n    Hello_Flow:',
      ),
      'conf.yaml:12: metaflow.flows.helloflow: "helloflow" and "HelloFlow" differ only in case; chat could not tell them apart',
    ],
  ])('%#', (yaml, message) => {
    expect(errorOf(yaml)).toBe(message)
  })
})

describe('the command of a flow run', () => {
  const config = loadConfigText(YAML, 'c', { stateDir: '/s', baseDir: '/cfg' })
  const flow = config.metaflow!.flows.Hello_Flow!
  const settings = {
    user: 'flows-bot',
    authKeyEnv: 'MF_KEY',
    metadata: 'service' as const,
    serviceUrl: 'http://metaflow.internal:8080/api',
    datastoreSysroot: '/cfg/data',
  }

  test('cd, Metaflow settings, exec python flow run --run-id-file, then --<param> with each value one quoted word', () => {
    expect(
      flowCommand(
        flow,
        { learning_rate: '0.01', alpha: "x'; rm -rf / $(id)" },
        runIdFilePath('/state', 7),
        settings,
      ),
    ).toBe(
      "cd '/cfg/flows' && METAFLOW_USER='flows-bot' METAFLOW_DATASTORE_SYSROOT_LOCAL='/cfg/data' METAFLOW_DEFAULT_METADATA=service " +
        "METAFLOW_SERVICE_URL='http://metaflow.internal:8080/api' METAFLOW_SERVICE_AUTH_KEY=\"$MF_KEY\" exec '/opt/venv/bin/python' '/cfg/flows/hello.py' " +
        "run --run-id-file '/state/metaflow/run-ids/7' --alpha 'x'\\''; rm -rf / $(id)' --learning_rate '0.01'",
    )
  })
  test('the values really reach the program as single arguments', () => {
    const cmd = flowCommand(
      { ...flow, python: 'printf', file: '[%s]' },
      { alpha: "a b'c $(id)" },
      '/tmp/f',
      { user: 'u', authKeyEnv: 'METAFLOW_SERVICE_AUTH_KEY', metadata: 'local' },
    )
    const out = Bun.spawnSync([
      'bash',
      '-c',
      cmd.replace(`cd '/cfg/flows' && `, ''),
    ]).stdout.toString()
    expect(out).toBe("[run][--run-id-file][/tmp/f][--alpha][a b'c $(id)]")
  })
  test('settings: the config wins over METAFLOW_* variables, which fill in what it leaves out; the key is only referenced', () => {
    const env = readEnvironment(
      {
        METAFLOW_SERVICE_URL: 'http://other:1',
        METAFLOW_DATASTORE_SYSROOT_LOCAL: '/env/root',
        MF_KEY: 'k-123456',
      },
      '/',
    )
    const source = metaflowSourceFor(config.metaflow!, env)
    expect(source).toBeInstanceOf(ServiceSource)
    expect(source.description).toBe(
      'Metaflow metadata service at http://metaflow.internal:8080/api',
    )
    expect(launchSettings(config.metaflow!, env, source)).toEqual(settings)
    const bare = loadConfigText('namespaces: {}\nmetaflow: {}\n', 'c', {
      stateDir: '/s',
      baseDir: '/cfg',
    }).metaflow!
    expect(metaflowSourceFor(bare, env).description).toBe(
      'Metaflow metadata service at http://other:1',
    )
    expect(launchSettings(bare, env, metaflowSourceFor(bare, env))).toMatchObject({
      serviceUrl: 'http://other:1',
      datastoreSysroot: '/env/root',
    })
  })
  test('nothing configured anywhere: a startup error that names both ways', () => {
    const bare = loadConfigText('namespaces: {}\nmetaflow: {}\n', 'c', {
      stateDir: '/s',
      baseDir: '/cfg',
    }).metaflow!
    expect(() => metaflowSourceFor(bare, readEnvironment({}, '/'))).toThrow(
      'metaflow.service_url (or METAFLOW_SERVICE_URL)',
    )
  })
})
