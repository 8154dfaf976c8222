// Report formats end to end: real jobs through the dispatcher, their output reported as a code
// block or as a file, as the job's `report_format` says.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { MESSAGE_LIMIT } from '../src/app/door.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

// `xs N` prints N x's and no newline: output of an exact length.
const xs = (n: number) => `head -c ${n} /dev/zero | tr '\\0' x`
// The fence around code adds "```\n" and "\n```": 8 characters.
const FITS = MESSAGE_LIMIT - 8

const YAML = `
settings:
  kill_grace: 1s
  poll_interval: 1s
  max_parallel: 4
namespaces:
  t:
    jobs:
      code:
        run: echo 'first line'; echo '  indented *not bold*'; echo
        report_stdout: true
        report_format: code
      fits:
        run: ${xs(FITS)}
        report_stdout: true
        report_format: code
      over:
        run: ${xs(FITS + 1)}
        report_stdout: true
        report_format: code
      long:
        run: for i in $(seq 1 300); do echo "line $i of a long report"; done
        report_stdout: true
        report_format: code
      file:
        run: echo "one line"; echo "key is $API_KEY"
        report_stdout: true
        report_format: file
        env: [{name: API_KEY, secret: true}]
    commands:
      - {pattern: code, job: code}
      - {pattern: fits, job: fits}
      - {pattern: over, job: over}
      - {pattern: long, job: long}
      - {pattern: file, job: file}
`

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

/** Runs a command to success and returns its report. */
async function reportOf(command: string) {
  const { runId } = await h!.say(command)
  await h!.waitForState(runId!, ['succeeded'])
  return { runId: runId!, report: await h!.waitForMessage((m) => m.purpose === 'report') }
}

describe('report_format: code', () => {
  test('the output is posted in the thread inside a ``` fence, trailing blank lines dropped', async () => {
    h = startHarness(YAML)
    const { report } = await reportOf('t code')
    expect(report).toMatchObject({ channel: 'C1', threadTs: '100.1' })
    expect(report.text).toBe('```\nfirst line\n  indented *not bold*\n```')
    expect(report.file).toBeUndefined()
  })

  test('output too long for a message is uploaded as a file with a short text', async () => {
    h = startHarness(YAML)
    const { runId, report } = await reportOf('t long')
    expect(report.text).toBe(`Output of \`t_long\` (run ${runId}):`)
    expect(report.file?.filename).toBe(`t_long-${runId}.txt`)
    const lines = report.file!.content.trimEnd().split('\n')
    expect(lines).toHaveLength(300)
    expect(lines.at(-1)).toBe('line 300 of a long report')
    expect(report.file!.content).not.toContain('```') // a file needs no fence
  })

  test('the limit counts the fence: output that just fits stays in the message, one character more goes as a file', async () => {
    h = startHarness(YAML)
    const fits = await reportOf('t fits')
    expect(fits.report.file).toBeUndefined()
    expect(fits.report.text).toHaveLength(MESSAGE_LIMIT)
    expect(fits.report.text).toBe('```\n' + 'x'.repeat(FITS) + '\n```')

    const { runId } = await h.say('t over')
    await h.waitForState(runId!, ['succeeded'])
    const over = await waitUntil(
      'the second report',
      () => h!.messages().filter((m) => m.purpose === 'report')[1],
    )
    expect(over.text).toBe(`Output of \`t_over\` (run ${runId}):`)
    expect(over.file?.content).toBe('x'.repeat(FITS + 1))
  })
})

describe('report_format: file', () => {
  test('even a short output is uploaded as a file holding the output, secrets masked', async () => {
    h = startHarness(YAML, { API_KEY: 'sk-file-secret-99' })
    const { runId, report } = await reportOf('t file')
    expect(report).toMatchObject({
      channel: 'C1',
      threadTs: '100.1',
      text: `Output of \`t_file\` (run ${runId}):`,
    })
    expect(report.file).toEqual({
      filename: `t_file-${runId}.txt`,
      content: 'one line\nkey is [redacted]\n',
    })
  })
})
