// Job reports reaching Slack from a real `ebmbot serve`: long output as a file, Block Kit with a
// text fallback, failures escalated with a permalink, and reports that survive rate limits and a
// crash of the bot (the outbox keeps them until Slack has them).
import { afterEach, describe, expect, test } from 'bun:test'
import {
  GENERAL,
  LOGS,
  SUPPORT,
  startSlackBot,
  stopSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { HOOK_TIMEOUT, waitUntil } from './support/wait.ts'

let s: SlackBot | undefined

afterEach(async () => {
  await stopSlackBot(s)
  s = undefined
}, HOOK_TIMEOUT)

async function ask(text: string, user = 'U1') {
  const event = s!.fake.mention({ user, channel: GENERAL, text })
  await s!.fake.sendEvent(event).acked
  return event
}
const inThread = (ts: string) =>
  s!.fake.messages.filter((m) => m.channel === GENERAL && m.thread_ts === ts)

describe('report formats', () => {
  test('output too long for a message is uploaded as a file into the thread', async () => {
    s = await startSlackBot()
    const event = await ask('demo long')

    const file = await s.fake.waitFor((f) => f.files[0], 5000, 'the upload')
    expect(file).toMatchObject({
      channel_id: GENERAL,
      thread_ts: event.ts,
      filename: 'demo_long-1.txt',
    })
    expect(file.content.trimEnd().split('\n')).toHaveLength(300)
    expect(file.initial_comment).toContain('is long; here it is as a file')
    expect(inThread(event.ts)).toEqual([])
  })

  test('Block Kit output is posted as blocks in the thread', async () => {
    s = await startSlackBot()
    const event = await ask('demo card')

    const card = await s.fake.waitFor(() => inThread(event.ts)[0], 5000, 'the card')
    // The job's blocks, then the run's number and its Rerun and Logs buttons.
    expect(card.blocks?.[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Demo card*' },
    })
    expect(card.blocks?.slice(1).map((b) => (b as { type: string }).type)).toEqual([
      'context',
      'actions',
    ])
    expect(JSON.stringify(card.blocks?.[1])).toContain('Run 1 · `demo_card`')
    expect(card.text).toBe('*Demo card*')
  })

  test('output that is not Block Kit, or blocks Slack refuses, still arrive as text with a note', async () => {
    s = await startSlackBot()
    s.fake.failNext('chat.postMessage', {
      error: 'invalid_blocks',
      when: (args) => JSON.stringify(args.blocks ?? null).includes('Demo card'),
    })
    const bad = await ask('demo badcard')
    const refused = await ask('demo card')

    const badReport = await s.fake.waitFor(() => inThread(bad.ts)[0], 5000, 'the bad card as text')
    expect(badReport.text).toBe(
      "this is not Block Kit\n(The job's Block Kit output was unusable: it is not JSON; here it is as text.)",
    )
    const refusedReport = await s.fake.waitFor(
      () => inThread(refused.ts)[0],
      5000,
      'the refused card as text',
    )
    expect(refusedReport.blocks).toBeUndefined()
    expect(refusedReport.text).toContain('*Demo card*')
    expect(refusedReport.text).toContain('Slack refused it with `invalid_blocks`')
  })

  test('a text report whose buttons Slack refuses still arrives, as the text alone', async () => {
    s = await startSlackBot()
    s.fake.failNext('chat.postMessage', {
      error: 'invalid_blocks',
      when: (args) => JSON.stringify(args.blocks ?? null).includes('Hello, plain'),
    })
    const event = await ask('demo hello plain')
    const report = await s.fake.waitFor(() => inThread(event.ts)[0], 5000, 'the report')
    expect(report.text).toBe('Hello, plain!')
    expect(report.blocks).toBeUndefined()
    expect(
      s.fake.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === event.ts),
    ).toHaveLength(2)
  })
})

test('a failure is reported in the thread, then escalated to tech-support with a link to the request', async () => {
  s = await startSlackBot()
  const event = await ask('demo fail')

  const escalation = await s.fake.waitFor(
    (f) => f.messages.find((m) => m.channel === SUPPORT),
    5000,
    'the escalation',
  )
  const report = inThread(event.ts)[0]!
  expect(report.text).toContain('`demo_fail` failed with exit code 3')
  expect(report.text).toContain('something broke')
  expect(report.text).toContain('Calling tech-support.')
  expect(escalation.thread_ts).toBeUndefined()
  expect(escalation.text).toContain('`demo_fail` failed with exit code 3')
  expect(escalation.text).toEndWith(
    `https://fake.slack/archives/${GENERAL}/p${event.ts.replace('.', '')}`,
  )
  // Start notice, then the failure report, then the escalation.
  const order = s.fake.messages.map((m) =>
    m.channel === LOGS ? 'notice' : m.channel === SUPPORT ? 'escalation' : 'report',
  )
  expect(order).toEqual(['notice', 'report', 'escalation'])
})

describe('reports are never lost', () => {
  test('a 429 on chat.postMessage delays the report until Retry-After has passed, then posts it once', async () => {
    s = await startSlackBot()
    const isReport = (args: Record<string, unknown>) => args.channel === GENERAL
    s.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1, when: isReport })
    const event = await ask('demo hello patience')

    const report = await s.fake.waitFor(() => inThread(event.ts)[0], 5000, 'the delayed report')
    expect(report.text).toBe('Hello, patience!')
    const attempts = s.fake.callsOf('chat.postMessage').filter((c) => isReport(c.args))
    expect(attempts.map((c) => c.status)).toEqual([429, 200])
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000)
    expect(inThread(event.ts)).toHaveLength(1)
    expect(s.bot.out.stderr).toContain('event=outbox.retry')
  })

  test('Slack down (503) delays the report with a growing backoff, then posts it once', async () => {
    s = await startSlackBot()
    const isReport = (args: Record<string, unknown>) => args.channel === GENERAL
    s.fake.failNext('chat.postMessage', { status: 503, when: isReport }, 2)
    const event = await ask('demo hello outage')

    const report = await s.fake.waitFor(
      () => inThread(event.ts)[0],
      10_000,
      'the report after the outage',
    )
    expect(report.text).toBe('Hello, outage!')
    const attempts = s.fake.callsOf('chat.postMessage').filter((c) => isReport(c.args))
    expect(attempts.map((c) => c.status)).toEqual([503, 503, 200])
    // 1 s after the first failure, 2 s after the second.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950)
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1950)
    expect(inThread(event.ts)).toHaveLength(1)
  })

  test('a report still undelivered when the bot is killed is delivered after it restarts', async () => {
    s = await startSlackBot()
    // Slack hangs on posts: the job finishes, its report waits in the outbox.
    s.fake.delay('chat.postMessage', 30_000)
    const event = await ask('demo hello again')
    await waitUntil(
      'the report stored in the outbox',
      () =>
        s!.query<{ n: number }>(
          "select count(*) as n from outbox where state = 'pending' and json_extract(payload, '$.purpose') = 'report'",
        )[0]!.n === 1,
    )
    s.bot.proc.kill('SIGKILL')
    await s.bot.proc.exited
    expect(inThread(event.ts)).toEqual([])

    s.fake.delay('chat.postMessage', 0)
    await s.restart()
    const report = await s.fake.waitFor(
      () => inThread(event.ts)[0],
      5000,
      'the report after the restart',
    )
    expect(report.text).toBe('Hello, again!')
    expect(s.query('select state from runs')).toEqual([{ state: 'succeeded' }])
  })
})

describe('report_to: channel (where the Python ebmbot put reports)', () => {
  const YAML = `
namespaces:
  rota:
    report_to: channel
    jobs:
      report: {run: echo Alice is on duty, report_stdout: true}
      fail: {run: echo nope >&2; exit 1}
      quiet_one: {run: echo in the thread, report_stdout: true, report_to: thread}
    commands:
      - {pattern: report, job: report}
      - {pattern: fail, job: fail}
      - {pattern: quiet, job: quiet_one}
`
  const reportOf = (text: string) => (m: { channel: string; text?: string }) =>
    m.channel === GENERAL && m.text?.includes(text)

  test('a top-level command is reported top-level; one said in a thread, in that thread; a job can opt back in to threads', async () => {
    s = await startSlackBot({ yaml: YAML })
    const top = await ask('rota report')
    const report = await s.fake.waitFor(
      () => s!.fake.messages.find(reportOf('Alice is on duty')),
      5000,
      'the top-level report',
    )
    expect(report.thread_ts).toBeUndefined()

    const failed = await ask('rota fail')
    const failure = await s.fake.waitFor(
      () => s!.fake.messages.find(reportOf('`rota_fail` failed')),
      5000,
      'the failure report',
    )
    expect(failure.thread_ts).toBeUndefined()
    expect(failed.ts).not.toBe(top.ts)

    const threaded = s.fake.mention({
      user: 'U1',
      channel: GENERAL,
      text: 'rota report',
      thread_ts: top.ts,
    })
    await s.fake.sendEvent(threaded).acked
    await waitUntil('the report in the thread', () => inThread(top.ts).length > 0, 5000)
    expect(inThread(top.ts)[0]!.text).toContain('Alice is on duty')

    const quiet = await ask('rota quiet')
    await waitUntil('the opted-out report in its thread', () => inThread(quiet.ts).length > 0, 5000)
    expect(inThread(quiet.ts)[0]!.text).toContain('in the thread')
  })
})
