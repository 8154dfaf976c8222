// runs_on and EBMBOT_INSTANCE_TAGS: a job inherits its namespace's tags unless it names its own,
// an instance leaves to others exactly the jobs none of its tags allow, and a malformed tag is
// refused with the key (and line) that holds it.
import { expect, test } from 'bun:test'
import { readEnvironment } from '../src/config/env.ts'
import { typesNotFor } from '../src/config/types.ts'
import { configErrorOf, configFrom } from './support/configs.ts'

const YAML = `
namespaces:
  op:
    runs_on: [deploy-host]
    jobs:
      deploy: {run: echo deploy}
      report: {run: echo report, runs_on: [data, deploy-host]}
    commands:
      - {pattern: deploy, job: deploy}
      - {pattern: report, job: report}
  demo:
    jobs:
      hello: {run: echo hi}
    commands:
      - {pattern: hello, job: hello}
`

test('a job runs where its own or its namespace tags say; one without runs anywhere', () => {
  const config = configFrom(YAML)
  expect(config.namespaces.op!.jobs.deploy!.runsOn).toEqual(['deploy-host'])
  expect(config.namespaces.op!.jobs.report!.runsOn).toEqual(['data', 'deploy-host'])
  expect(config.namespaces.demo!.jobs.hello!.runsOn).toBeUndefined()
  expect(typesNotFor(config, [])).toEqual(['op_deploy', 'op_report'])
  expect(typesNotFor(config, ['data'])).toEqual(['op_deploy'])
  expect(typesNotFor(config, ['deploy-host'])).toEqual([])
})

test('a malformed tag is refused, in the config and in the environment', () => {
  const err = configErrorOf(YAML.replace('runs_on: [deploy-host]', 'runs_on: [Deploy Host]'))
  expect(err.message).toContain('namespaces.op.runs_on')
  expect(err.message).toContain('an instance tag')
  expect(readEnvironment({ EBMBOT_INSTANCE_TAGS: 'deploy-host, data' }, '/').instanceTags).toEqual([
    'deploy-host',
    'data',
  ])
  expect(() => readEnvironment({ EBMBOT_INSTANCE_TAGS: 'deploy-host,GPU!' }, '/')).toThrow(
    /EBMBOT_INSTANCE_TAGS.*"GPU!" is not an instance tag/s,
  )
})
