// Runs followed and steered in Slack (real `ebmbot serve`, real clients, fake Slack): live
// progress edits paced per message, quiet, Cancel and Rerun buttons (a double click does one
// thing), confirmation by buttons with group approvers, and access rules by group and channel.
import { afterEach, describe, expect, test } from 'bun:test'
import type { FakeMessage } from './support/fake-slack.ts'
import { GENERAL, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { HOOK_TIMEOUT, waitForLog } from './support/wait.ts'

const DEPLOYS = 'CDEPLOYS'
const YAML = `
settings: {kill_grace: 1s, shutdown_grace: 2s, progress_interval: 2s, poll_interval: 1s}
namespaces:
  demo:
    description: Demo jobs
    jobs:
      chatty:
        run: for i in $(seq 1 10); do echo "step $i token=$DEMO_SECRET"; sleep 1; done
        env: [{name: DEMO_SECRET, secret: true}]
      sleeper:
        run: sleep 60
      hello:
        run: sleep 4; echo Hello, [name]
        report_stdout: true
      leaky:
        run: echo "connecting with $DEMO_SECRET"; echo "failed using $DEMO_SECRET" >&2; exit 2
        env: [{name: DEMO_SECRET, secret: true}]
        report_stdout: true
      quick:
        run: echo quick [n]
        report_stdout: true
      hushed:
        run: for i in 1 2 3 4 5; do echo "tick $i"; sleep 1; done
        progress: false
    commands:
      - {pattern: chatty, job: chatty, help: a chatty ten-second job}
      - {pattern: sleeper, job: sleeper, help: sleeps a minute}
      - {pattern: "hello [name]", job: hello, help: say hello after a pause}
      - {pattern: leaky, job: leaky, help: prints a secret and fails}
      - {pattern: "quick [n]", job: quick, help: a quick one}
      - {pattern: hushed, job: hushed, help: a job without progress messages}
  prod:
    description: Production
    allow: {groups: [SOPS, SLEADS], channels: ["#deploys"]}
    approvers: {groups: [SLEADS]}
    jobs:
      deploy:
        run: echo deployed [env]
        report_stdout: true
        confirm: true
      hotfix:
        run: echo hotfix
        confirm: true
        confirm_timeout: 1s
    commands:
      - {pattern: "deploy [env]", job: deploy, help: deploy to an environment}
      - {pattern: hotfix, job: hotfix, help: an urgent fix}
`

let s: SlackBot | undefined
afterEach(async () => {
  const code = await stopSlackBot(s)
  s = undefined
  if (code !== undefined) expect(code).toBe(0)
}, HOOK_TIMEOUT)

const start = () =>
  startSlackBot({
    yaml: YAML,
    env: { DEMO_SECRET: 'sk-live-very-secret' },
    fake: {
      users: {
        U1: { name: 'alice' },
        UOPS: { name: 'olga' },
        ULEAD: { name: 'lee' },
        UOTHER: { name: 'otto' },
      },
      channels: [
        { id: 'CLOGS', name: 'logs', is_member: true },
        { id: 'CSUPPORT', name: 'tech-support', is_member: true },
        { id: GENERAL, name: 'general' },
        { id: DEPLOYS, name: 'deploys' },
      ],
    },
  })

const thread = (channel: string, ts: string) =>
  s!.fake.messages.filter((m) => m.channel === channel && m.thread_ts === ts)
const hasAction = (m: FakeMessage, action: string) =>
  JSON.stringify(m.blocks ?? []).includes(`"${action}"`)
const updatesOf = (m: FakeMessage) =>
  s!.fake.callsOf('chat.update').filter((c) => c.args.ts === m.ts)
const runState = (id: number) =>
  s!.query<{ state: string }>('select state from runs where id = ?', id)[0]?.state
const press = (action: string, on: FakeMessage, user: string, runId: number) =>
  s!.fake.sendInteractive(
    s!.fake.blockAction({
      user,
      channel: on.channel,
      message_ts: on.ts,
      action_id: action,
      value: String(runId),
    }),
  ).acked

/** A chatty run with its progress message up, then `quiet` said in its thread and recorded. */
async function chattyMadeQuiet() {
  s = await start()
  const { fake } = s
  const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo chatty' })
  await fake.sendEvent(ask).acked
  const running = await fake.waitFor(
    () => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')),
    5000,
    'the running message',
  )
  await fake.sendEvent(
    fake.mention({ user: 'U1', channel: GENERAL, text: 'quiet', thread_ts: ask.ts }),
  ).acked
  await fake.waitFor(
    () => s!.query<{ quiet: number }>('select quiet from runs where id = 1')[0]?.quiet === 1,
    5000,
    'quiet to be recorded',
  )
  return { fake, ask, running }
}

describe('live progress', () => {
  test('a quick job gets no progress message: its thread holds the result only', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', [])
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleeper' })
    await fake.sendEvent(ask).acked
    await fake.waitFor(() => runState(1) === 'running', 5000, 'the run to start')
    await s.fake.sendEvent(
      fake.mention({ user: 'U1', channel: GENERAL, text: 'cancel 1', thread_ts: ask.ts }),
    ).acked
    await fake.waitFor(() => runState(1) === 'cancelled', 8000, 'the cancel')
    await Bun.sleep(200)
    expect(thread(GENERAL, ask.ts).some((m) => hasAction(m, 'ebmbot_cancel'))).toBe(false)
    expect(fake.callsOf('chat.update')).toHaveLength(0)
  })

  test('a quick job’s report shows its run number, with Logs and Rerun buttons that work', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo quick 7' })
    await fake.sendEvent(ask).acked
    const report = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => m.text === 'quick 7'),
      5000,
      'the report',
    )
    expect(JSON.stringify(report.blocks)).toContain('Run 1 · `demo_quick`')
    expect(hasAction(report, 'ebmbot_rerun') && hasAction(report, 'ebmbot_logs')).toBe(true)
    await press('ebmbot_logs', report, 'U1', 1)
    const logs = await fake.waitFor(
      () =>
        thread(GENERAL, ask.ts).find((m) => m.text?.startsWith('Last lines of stdout of run 1')),
      5000,
      'the logs',
    )
    expect(logs.text).toContain('```\nquick 7\n```')
    await press('ebmbot_rerun', report, 'U1', 1)
    await fake.waitFor(
      () => thread(GENERAL, ask.ts).filter((m) => m.text === 'quick 7').length === 2,
      8000,
      'the rerun report',
    )
    expect(runState(2)).toBe('succeeded')
  })

  test('a job with `progress: false` gets no progress message however long it runs', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hushed' })
    await fake.sendEvent(ask).acked
    await fake.waitFor(() => runState(1) === 'succeeded', 15_000, 'the job to finish')
    const report = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => m.text?.includes('`demo_hushed` succeeded')),
      5000,
      'the report',
    )
    // Five seconds against a two-second interval: only the report, which carries the buttons instead.
    expect(thread(GENERAL, ask.ts)).toEqual([report])
    expect(hasAction(report, 'ebmbot_cancel')).toBe(false)
    expect(fake.callsOf('chat.update')).toHaveLength(0)
  })

  test('a chatty job is edited with progress at most once per interval, secrets masked, ending with the outcome and Rerun', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo chatty' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')),
      5000,
      'the running message',
    )
    expect(running.text).toContain('`demo_chatty` (run 1) is running')
    await fake.waitFor(() => runState(1) === 'succeeded', 20_000, 'the job to finish')
    const final = await fake.waitFor(
      () => updatesOf(running).find((c) => String(c.args.text).includes('succeeded')),
      5000,
      'the final edit',
    )

    const edits = updatesOf(running)
    const progress = edits.filter((c) => c !== final)
    // Ten seconds at one edit per two seconds: a handful, never a flood.
    const [took] = s.query<{ ms: number }>(
      'select finished_at - started_at as ms from runs where id = 1',
    )
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.length).toBeLessThanOrEqual(Math.floor(took!.ms / 2000))
    // The bot writes each edit at least one interval after the last (the message included)...
    const written = s.query<{ at: number; text: string }>(
      "select created_at as at, json_extract(payload, '$.text') as text from outbox where run_id = 1 and json_extract(payload, '$.purpose') = 'progress' order by id",
    )
    const paced = written.filter((w) => !w.text.includes('succeeded'))
    expect(paced.length).toBe(progress.length + 1)
    for (let i = 1; i < paced.length; i++)
      expect(paced[i]!.at - paced[i - 1]!.at).toBeGreaterThanOrEqual(2000)
    // ...and Slack never sees them bunched, whatever the delivery jitter.
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(1000)
    expect(progress.some((c) => /step \d+ token=\[redacted\]/.test(String(c.args.text)))).toBe(true)
    expect(JSON.stringify(edits.map((c) => c.args))).not.toContain('sk-live-very-secret')
    expect(JSON.stringify(final.args.blocks)).toContain('ebmbot_rerun')
    expect(JSON.stringify(final.args.blocks)).toContain('ebmbot_logs')
  }, 30_000)

  test('`quiet` in the thread stops the edits; the outcome still arrives', async () => {
    const { fake, running } = await chattyMadeQuiet()
    const quietAt = Date.now()
    await fake.waitFor(() => runState(1) === 'succeeded', 20_000, 'the job to finish')
    await fake.waitFor(
      () => updatesOf(running).some((c) => String(c.args.text).includes('succeeded')),
      5000,
      'the final edit',
    )
    // Nothing but the outcome is written once quiet is recorded (an edit already written may still arrive).
    const writtenAfter = s!.query<{ text: string }>(
      "select json_extract(payload, '$.text') as text from outbox where run_id = 1 and json_extract(payload, '$.purpose') = 'progress' and created_at > ?",
      quietAt,
    )
    expect(writtenAfter.length).toBeGreaterThanOrEqual(1)
    expect(writtenAfter.every((w) => w.text.includes('succeeded'))).toBe(true)
    const afterQuiet = updatesOf(running).filter((c) => c.at > quietAt + 3000)
    expect(afterQuiet.map((c) => String(c.args.text)).every((t) => t.includes('succeeded'))).toBe(
      true,
    )
  }, 30_000)

  test('`loud` after `quiet` brings the edits back', async () => {
    const { fake, ask, running } = await chattyMadeQuiet()
    const loud = fake.mention({ user: 'U1', channel: GENERAL, text: 'loud', thread_ts: ask.ts })
    await fake.sendEvent(loud).acked
    await fake.waitFor(
      () => s!.query<{ quiet: number }>('select quiet from runs where id = 1')[0]?.quiet === 0,
      5000,
      'loud to be recorded',
    )
    const loudAt = Date.now()
    expect(
      (
        await fake.waitFor(
          () =>
            thread(GENERAL, ask.ts).find((m) =>
              m.text?.startsWith('Progress updates for run 1 are back on'),
            ),
          5000,
          'the reply',
        )
      ).text,
    ).toBeTruthy()
    // A running-state edit (not just the final one) arrives after `loud`.
    await fake.waitFor(
      () =>
        updatesOf(running).some((c) => c.at > loudAt && String(c.args.text).includes('is running')),
      8000,
      'an edit after loud',
    )
  }, 30_000)
})

describe('buttons', () => {
  test('Cancel stops the run; a double click cancels once', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleeper' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')),
      5000,
      'the running message',
    )
    await fake.waitFor(() => runState(1) === 'running', 5000, 'the run to start')
    await Promise.all([
      press('ebmbot_cancel', running, 'U1', 1),
      press('ebmbot_cancel', running, 'U1', 1),
    ])
    await fake.waitFor(() => runState(1) === 'cancelled', 8000, 'the run to be cancelled')
    await fake.waitFor(
      () => thread(GENERAL, ask.ts).some((m) => m.text?.includes('was cancelled by <@U1>')),
      5000,
      'the report',
    )
    expect(
      thread(GENERAL, ask.ts).filter((m) => m.text?.startsWith('Stopping run 1')),
    ).toHaveLength(1)
  })

  test('Rerun on the finished message queues the job again once, in the same thread', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello you' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')),
      5000,
      'the running message',
    )
    await fake.waitFor(
      () => updatesOf(running).some((c) => JSON.stringify(c.args.blocks).includes('ebmbot_rerun')),
      5000,
      'the Rerun button',
    )
    await press('ebmbot_rerun', running, 'U1', 1)
    await press('ebmbot_rerun', running, 'U1', 1)
    await fake.waitFor(() => runState(2) === 'succeeded', 12_000, 'the rerun to finish')
    await fake.waitFor(
      () => thread(GENERAL, ask.ts).filter((m) => m.text === 'Hello, you').length === 2,
      5000,
      'the rerun report',
    )
    await Bun.sleep(300) // a second Rerun would have queued by now
    expect(s.query('select count(*) as n from runs')).toEqual([{ n: 2 }])
    expect(thread(GENERAL, ask.ts).filter((m) => m.text === 'Hello, you')).toHaveLength(2)
  })
})

describe('confirmation and access', () => {
  test('Approve by an outsider is refused; a lead (by group) approves once; the job then runs', async () => {
    s = await start()
    const { fake } = s
    // UOTHER may run prod jobs but is no approver; approvers must also be allowed to run them.
    fake.usergroups.set('SOPS', ['UOPS', 'UOTHER'])
    fake.usergroups.set('SLEADS', ['ULEAD'])
    const ask = fake.mention({ user: 'UOPS', channel: DEPLOYS, text: 'prod deploy production' })
    await fake.sendEvent(ask).acked
    const prompt = await fake.waitFor(
      () => thread(DEPLOYS, ask.ts).find((m) => hasAction(m, 'ebmbot_approve')),
      5000,
      'the approval prompt',
    )
    expect(prompt.text).toContain('needs approval')
    expect(runState(1)).toBe('awaiting_approval')

    await press('ebmbot_approve', prompt, 'UOTHER', 1)
    await fake.waitFor(
      () =>
        thread(DEPLOYS, ask.ts).some(
          (m) =>
            m.text ===
            'Sorry, only <@UOPS> or an approver of `prod_deploy` may approve or deny run 1.',
        ),
      5000,
      'the refusal',
    )
    expect(runState(1)).toBe('awaiting_approval')

    await Promise.all([
      press('ebmbot_approve', prompt, 'ULEAD', 1),
      press('ebmbot_approve', prompt, 'ULEAD', 1),
    ])
    await fake.waitFor(() => runState(1) === 'succeeded', 8000, 'the approved run')
    // The report is queued after the approval message, and one channel's messages go out in order.
    await fake.waitFor(
      () => thread(DEPLOYS, ask.ts).some((m) => m.text === 'deployed production'),
      5000,
      'the report',
    )
    expect(
      thread(DEPLOYS, ask.ts).filter((m) => m.text?.includes('<@ULEAD> approved run 1')),
    ).toHaveLength(1)
    expect(s.query('select approval, approval_by from runs where id = 1')).toEqual([
      { approval: 'approved', approval_by: 'ULEAD' },
    ])
  })

  test('Deny drops the request', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    const ask = fake.mention({ user: 'UOPS', channel: DEPLOYS, text: 'prod deploy staging' })
    await fake.sendEvent(ask).acked
    const prompt = await fake.waitFor(
      () => thread(DEPLOYS, ask.ts).find((m) => hasAction(m, 'ebmbot_deny')),
      5000,
      'the approval prompt',
    )
    await press('ebmbot_deny', prompt, 'UOPS', 1)
    await fake.waitFor(() => runState(1) === 'cancelled', 5000, 'the denial')
    expect(s.query('select approval, approval_by from runs where id = 1')).toEqual([
      { approval: 'denied', approval_by: 'UOPS' },
    ])
  })

  test('help and refusals follow group membership and the channel', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    const say = async (user: string, channel: string, text: string) => {
      const e = fake.mention({ user, channel, text })
      await fake.sendEvent(e).acked
      return (
        (await fake.waitFor(() => thread(channel, e.ts)[0], 5000, `a reply to ${text}`)).text ?? ''
      )
    }
    expect(await say('UOPS', DEPLOYS, 'help')).toContain('`prod`: Production')
    expect(await say('UOTHER', DEPLOYS, 'help')).not.toContain('`prod`')
    expect(await say('UOPS', GENERAL, 'help')).not.toContain('`prod`')
    expect(await say('UOPS', GENERAL, 'prod deploy x')).toBe(
      'Sorry, the `prod` commands may only be run in #deploys.',
    )
    expect(await say('UOTHER', DEPLOYS, 'prod deploy x')).toBe(
      'Sorry, you are not on the list of people who may run the `prod` commands.',
    )
    // The group lookup fails (its cache has expired, say): a member is told why, not that they are off the list.
    await s.stop()
    fake.failNext('usergroups.users.list', { error: 'fatal_error' })
    await s.restart()
    expect(await say('UOPS', DEPLOYS, 'prod deploy x')).toBe(
      'Sorry, I could not look you up in Slack just now, so I cannot tell whether you may run the `prod` commands; try again in a moment.',
    )
    expect(s.query('select count(*) as n from runs')).toEqual([{ n: 0 }])
  })
})

describe('the run thread, typed', () => {
  test('status, logs, cancel and rerun typed in the thread act on its run', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo chatty' })
    await fake.sendEvent(ask).acked
    await fake.waitFor(() => runState(1) === 'running', 5000, 'the run to start')
    // The answer to a command: the first new bot message in the thread matching `expect`
    // (other messages, such as a run's report, may arrive in between).
    const say = async (text: string, expect: RegExp) => {
      const before = thread(GENERAL, ask.ts).length
      await fake.sendEvent(fake.mention({ user: 'U1', channel: GENERAL, text, thread_ts: ask.ts }))
        .acked
      return fake.waitFor(
        () =>
          thread(GENERAL, ask.ts)
            .slice(before)
            .find((m) => m.user === 'UBOT' && expect.test(m.text ?? ''))?.text,
        5000,
        `the answer to ${text}`,
      )
    }
    expect(await say('status', /^Run 1, /)).toStartWith('Run 1, `demo_chatty`: *running*')
    await waitForLog(
      s.query<{ p: string }>('select stdout_path as p from runs where id = 1')[0]?.p,
      'step 2',
    )
    const logs = await say('logs', /^Last lines of stdout/)
    expect(logs).toMatch(
      /Last lines of stdout of run 1.*\n```\nstep 1 token=\[redacted\]\nstep 2 token=\[redacted\]/s,
    )
    // In the thread a number is a line count: `logs 1` is the last line only.
    expect(await say('logs 1', /^Last lines of stdout/)).toMatch(
      /```\nstep \d+ token=\[redacted\]\n```$/,
    )
    expect(logs).not.toContain('sk-live-very-secret')
    expect(await say('cancel', /^Stopping|^Cancelled/)).toBe(
      'Stopping run 1 (`demo_chatty`); it will be recorded as cancelled.',
    )
    await fake.waitFor(() => runState(1) === 'cancelled', 8000, 'the cancel')
    expect(await say('rerun', /^Rerunning/)).toStartWith('Rerunning run 1 as run 2')
    await fake.waitFor(() => runState(2) === 'running', 5000, 'the rerun to start')
  })

  test('a secret printed by a failing job is masked in the report and the escalation', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo leaky' })
    await fake.sendEvent(ask).acked
    const report = await fake.waitFor(
      () => thread(GENERAL, ask.ts).find((m) => m.text?.includes('failed with exit code 2')),
      5000,
      'the failure report',
    )
    expect(report.text).toContain('failed using [redacted]')
    await fake.waitFor(
      () => fake.messages.some((m) => m.channel === 'CSUPPORT'),
      5000,
      'the escalation',
    )
    expect(JSON.stringify(fake.messages)).not.toContain('sk-live-very-secret')
  })

  test('history lists runs newest first, filtered and paged', async () => {
    s = await start()
    const { fake } = s
    for (let i = 1; i <= 11; i++) {
      await fake.sendEvent(fake.mention({ user: 'U1', channel: GENERAL, text: `demo quick ${i}` }))
        .acked
      await fake.waitFor(() => runState(i) === 'succeeded', 5000, `run ${i}`)
    }
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'history demo quick' })
    await fake.sendEvent(ask).acked
    const page1 = await fake.waitFor(() => thread(GENERAL, ask.ts)[0]?.text, 5000, 'history')
    expect(page1).toContain('Runs of `demo_quick`, newest first (page 1 of 2, 11 in all)')
    expect(page1.indexOf('[11]')).toBeLessThan(page1.indexOf('[10]'))
    expect(page1).toContain('Say `history demo quick page 2` for older runs.')
    const ask2 = fake.mention({ user: 'U1', channel: GENERAL, text: 'history demo quick page 2' })
    await fake.sendEvent(ask2).acked
    expect(await fake.waitFor(() => thread(GENERAL, ask2.ts)[0]?.text, 5000, 'page 2')).toContain(
      '• [1] `demo_quick` succeeded, by <@U1>',
    )
    const ask3 = fake.mention({ user: 'U1', channel: GENERAL, text: 'history failed' })
    await fake.sendEvent(ask3).acked
    expect(await fake.waitFor(() => thread(GENERAL, ask3.ts)[0]?.text, 5000, 'filtered')).toBe(
      'No runs that failed yet.',
    )
  }, 30_000)

  test('a confirmation nobody answers times out and says so in the thread', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    const ask = fake.mention({ user: 'UOPS', channel: DEPLOYS, text: 'prod hotfix' })
    await fake.sendEvent(ask).acked
    await fake.waitFor(
      () => thread(DEPLOYS, ask.ts).some((m) => m.text?.includes('Nobody approved run 1')),
      6000,
      'the timeout notice',
    )
    expect(s.query('select state, approval from runs')).toEqual([
      { state: 'cancelled', approval: 'expired' },
    ])
  })
})
