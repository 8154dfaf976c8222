// A namespace's files (the Python bot's fabfile) are refreshed before each run; when the download
// fails, the logs channel is told and the job runs with the copy already there.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { ConfigError } from '../src/config/errors.ts'
import { loadConfigText } from '../src/config/load.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'

let h: Harness | undefined
let server: ReturnType<typeof Bun.serve> | undefined
afterEach(async () => {
  await h?.stop()
  server?.stop(true)
  h = server = undefined
})
afterAll(cleanupTemp)

test('each run gets the current file; a failed refresh is reported and the job still runs with the old copy', async () => {
  let content = 'version 1'
  let status = 200
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response(content, { status }),
  })
  const hh = (h = await startHarness(`
namespaces:
  ops:
    fetch: [{url: "http://127.0.0.1:${server.port}/fabfile.py", file: fabfile.py}]
    jobs:
      show: {run: cat fabfile.py, report_stdout: true}
    commands:
      - {pattern: show, job: show}
`))
  const first = await hh.say('ops show')
  await hh.waitForState(first.runId!, ['succeeded'])
  await hh.waitForMessage((m) => m.purpose === 'report' && m.text === 'version 1')

  content = 'version 2'
  const second = await hh.say('ops show')
  await hh.waitForState(second.runId!, ['succeeded'])
  await hh.waitForMessage((m) => m.purpose === 'report' && m.text === 'version 2')

  status = 500
  content = 'an error page'
  const third = await hh.say('ops show')
  await hh.waitForState(third.runId!, ['succeeded'])
  const notice = await hh.waitForMessage(
    (m) => m.purpose === 'notice' && m.text.startsWith('Could not refresh'),
  )
  expect(notice.channel).toBe('logs')
  expect(notice.text).toContain(`before \`ops_show\` (run ${third.runId}): HTTP 500`)
  expect(notice.text).toContain('The job runs with the copy already there.')
  await hh.waitForMessage(
    (m) => m.purpose === 'report' && m.threadTs === `100.3` && m.text === 'version 2',
  )
})

test('a fetch target must be a plain file name in the working directory', () => {
  const bad = (file: string) => () =>
    loadConfigText(
      `namespaces:\n  ops:\n    fetch: [{url: "https://example.org/f", file: "${file}"}]\n`,
      'c.yaml',
      { stateDir: '/s' },
    )
  for (const file of ['../etc/passwd', 'a/b', '.bashrc', '']) expect(bad(file)).toThrow(ConfigError)
  expect(() =>
    loadConfigText(
      `namespaces:\n  ops:\n    fetch: [{url: "file:///etc/passwd", file: x}]\n`,
      'c.yaml',
      { stateDir: '/s' },
    ),
  ).toThrow(ConfigError)
})
