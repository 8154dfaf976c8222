// The Metaflow commands from a terminal: `export` writes the whole file and says where (a
// terminal shows only the head of an upload), `ebmbot explain` tells what a Metaflow command
// does, and an unreachable service is reported in one readable sentence.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { botEnv, runBot } from './support/bot.ts'
import {
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { startHarness } from './support/harness.ts'
import { writeStandInFlow } from './support/stand-in-flow.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'

const T0 = Date.now() - 3_600_000
const RUN = String(T0 * 1000)
const flows: FlowFixture[] = [
  {
    name: 'HelloFlow',
    createdAt: T0,
    runs: [
      linearRun({
        id: RUN,
        user: 'savin',
        createdAt: T0,
        params: { alpha: '0.5' },
        steps: ['start', 'a', 'b', 'c', 'd', 'end'],
      }),
    ],
  },
]

let sysroot: string
let yaml: string
beforeAll(async () => {
  sysroot = await makeTempSysroot()
  await writeLocalDatastore(sysroot, flows)
  const flowFile = await writeStandInFlow(tempDir())
  yaml = `namespaces: {}
metaflow:
  datastore_sysroot: ${sysroot}
  flows:
    HelloFlow:
      file: ${flowFile}
      params: [alpha, mode]
`
})
afterAll(async () => {
  await rm(sysroot, { recursive: true, force: true })
  cleanupTemp()
})

describe('local chat', () => {
  test('export writes the whole JSON file and says where', async () => {
    const dir = tempDir()
    const state = join(dir, 'state')
    const out = await runBot(['chat', '--config', writeConfig(dir, yaml)], {
      env: botEnv(state),
      input: `inspect HelloFlow/${RUN}\nexport\n`,
    })
    expect(out.code).toBe(0)
    const path = join(state, 'exports', `HelloFlow-${RUN}.json`)
    expect(out.stdout).toContain(`Wrote the metadata of \`HelloFlow/${RUN}\` to ${path}`)
    expect(out.stdout).not.toContain('more lines')
    const json = JSON.parse(readFileSync(path, 'utf8'))
    expect(json).toMatchObject({ pathspec: `HelloFlow/${RUN}`, status: 'finished' })
    expect(json.steps).toHaveLength(6)
  })
})

describe('explain', () => {
  test('a Metaflow command says what it reads, and `run` shows the flow command it would queue', async () => {
    const dir = tempDir()
    const env = botEnv(join(dir, 'state'))
    const file = writeConfig(dir, yaml)
    const run = await runBot(['explain', '--config', file, 'run HelloFlow alpha=0.5'], { env })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('verb:      run')
    expect(run.stdout).toContain('action:    schedule job metaflow_HelloFlow')
    expect(run.stdout).toContain('params:    alpha="0.5"')
    expect(run.stdout).toMatch(
      /shell: {5}cd '.*' && METAFLOW_USER='ebmbot' .*exec 'python3' '.*hello\.py' run --run-id-file '<state>\/metaflow\/run-ids\/<run>' --alpha '0\.5'/,
    )
    const runs = await runBot(['explain', '--config', file, 'runs HelloFlow'], { env })
    expect(runs.stdout).toContain(
      'action:    lists the newest runs of the flow, each with its status; reads Metaflow, queues nothing',
    )
  })
})

describe('an unreachable metadata service', () => {
  test('is said in one sentence, with no doubled punctuation', async () => {
    const h = startHarness('namespaces: {}\nmetaflow:\n  service_url: http://127.0.0.1:9/\n', {
      METAFLOW_SERVICE_RETRY_COUNT: '0',
    })
    try {
      const text = (await h.say('flows')).replies[0]!
      expect(text).toStartWith(
        ':warning: I could not get an answer from Metaflow: Metaflow metadata service at http://127.0.0.1:9 is unreachable: ',
      )
      expect(text).toEndWith(' Try again in a little while.')
      expect(text).not.toMatch(/[?.!]\. Try again/)
    } finally {
      await h.stop()
    }
  })
})
