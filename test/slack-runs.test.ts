// Runs followed and steered in Slack (real `ebmbot serve`, real clients, fake Slack): live
// progress edits paced per message, quiet, Cancel and Rerun buttons (a double click does one
// thing), confirmation by buttons with group approvers, and access rules by group and channel.
import { afterEach, describe, expect, test } from 'bun:test'
import type { FakeMessage } from './support/fake-slack.ts'
import { GENERAL, startSlackBot, type SlackBot } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'

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
    commands:
      - {pattern: chatty, job: chatty, help: a chatty ten-second job}
      - {pattern: sleeper, job: sleeper, help: sleeps a minute}
      - {pattern: "hello [name]", job: hello, help: say hello after a pause}
  prod:
    description: Production
    allow: {groups: [SOPS, SLEADS], channels: ["#deploys"]}
    approvers: {groups: [SLEADS]}
    jobs:
      deploy:
        run: echo deployed [env]
        report_stdout: true
        confirm: true
    commands:
      - {pattern: "deploy [env]", job: deploy, help: deploy to an environment}
`

let s: SlackBot | undefined
afterEach(async () => {
  if (!s) return
  const code = await s.stop()
  await s.fake.stop()
  s = undefined
  cleanupTemp()
  expect(code).toBe(0)
})

const start = () =>
  startSlackBot({
    yaml: YAML,
    env: { DEMO_SECRET: 'sk-live-very-secret' },
    fake: {
      users: { U1: { name: 'alice' }, UOPS: { name: 'olga' }, ULEAD: { name: 'lee' }, UOTHER: { name: 'otto' } },
      channels: [
        { id: 'CLOGS', name: 'logs', is_member: true },
        { id: 'CSUPPORT', name: 'tech-support', is_member: true },
        { id: GENERAL, name: 'general' },
        { id: DEPLOYS, name: 'deploys' },
      ],
    },
  })

const thread = (channel: string, ts: string) => s!.fake.messages.filter((m) => m.channel === channel && m.thread_ts === ts)
const hasAction = (m: FakeMessage, action: string) => JSON.stringify(m.blocks ?? []).includes(`"${action}"`)
const updatesOf = (m: FakeMessage) => s!.fake.callsOf('chat.update').filter((c) => c.args.ts === m.ts)
const runState = (id: number) => s!.query<{ state: string }>('select state from runs where id = ?', id)[0]?.state
const press = (action: string, on: FakeMessage, user: string, runId: number) =>
  s!.fake.sendInteractive(s!.fake.blockAction({ user, channel: on.channel, message_ts: on.ts, action_id: action, value: String(runId) })).acked

describe('live progress', () => {
  test('a quick job gets no progress message: its thread holds the result only', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', [])
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleeper' })
    await fake.sendEvent(ask).acked
    await fake.waitFor(() => runState(1) === 'running', 5000, 'the run to start')
    await s.fake.sendEvent(fake.mention({ user: 'U1', channel: GENERAL, text: 'cancel 1', thread_ts: ask.ts })).acked
    await fake.waitFor(() => runState(1) === 'cancelled', 8000, 'the cancel')
    await Bun.sleep(200)
    expect(thread(GENERAL, ask.ts).some((m) => hasAction(m, 'ebmbot_cancel'))).toBe(false)
    expect(fake.callsOf('chat.update')).toHaveLength(0)
  })

  test('a chatty job is edited with progress at most once per interval, secrets masked, ending with the outcome and Rerun', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo chatty' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(() => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')), 5000, 'the running message')
    expect(running.text).toContain('`demo_chatty` (run 1) is running')
    await fake.waitFor(() => runState(1) === 'succeeded', 20_000, 'the job to finish')
    const final = await fake.waitFor(() => updatesOf(running).find((c) => String(c.args.text).includes('succeeded')), 5000, 'the final edit')

    const edits = updatesOf(running)
    const progress = edits.filter((c) => c !== final)
    // Ten seconds at one edit per two seconds: a handful, never a flood.
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.length).toBeLessThanOrEqual(6)
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(1900)
    expect(progress.some((c) => /step \d+ token=\[redacted\]/.test(String(c.args.text)))).toBe(true)
    expect(JSON.stringify(edits.map((c) => c.args))).not.toContain('sk-live-very-secret')
    expect(JSON.stringify(final.args.blocks)).toContain('ebmbot_rerun')
    expect(JSON.stringify(final.args.blocks)).toContain('ebmbot_logs')
  }, 30_000)

  test('`quiet` in the thread stops the edits; the outcome still arrives', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo chatty' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(() => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')), 5000, 'the running message')
    await fake.sendEvent(fake.mention({ user: 'U1', channel: GENERAL, text: 'quiet', thread_ts: ask.ts })).acked
    const quietAt = Date.now()
    await fake.waitFor(() => runState(1) === 'succeeded', 20_000, 'the job to finish')
    await fake.waitFor(() => updatesOf(running).some((c) => String(c.args.text).includes('succeeded')), 5000, 'the final edit')
    const afterQuiet = updatesOf(running).filter((c) => c.at > quietAt + 500)
    expect(afterQuiet.map((c) => String(c.args.text)).every((t) => t.includes('succeeded'))).toBe(true)
  }, 30_000)
})

describe('buttons', () => {
  test('Cancel stops the run; a double click cancels once', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleeper' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(() => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')), 5000, 'the running message')
    await fake.waitFor(() => runState(1) === 'running', 5000, 'the run to start')
    await Promise.all([press('ebmbot_cancel', running, 'U1', 1), press('ebmbot_cancel', running, 'U1', 1)])
    await fake.waitFor(() => runState(1) === 'cancelled', 8000, 'the run to be cancelled')
    await fake.waitFor(() => thread(GENERAL, ask.ts).some((m) => m.text?.includes('was cancelled by <@U1>')), 5000, 'the report')
    expect(thread(GENERAL, ask.ts).filter((m) => m.text?.startsWith('Stopping run 1'))).toHaveLength(1)
  }, 20_000)

  test('Rerun on the finished message queues the job again once, in the same thread', async () => {
    s = await start()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello you' })
    await fake.sendEvent(ask).acked
    const running = await fake.waitFor(() => thread(GENERAL, ask.ts).find((m) => hasAction(m, 'ebmbot_cancel')), 5000, 'the running message')
    await fake.waitFor(() => updatesOf(running).some((c) => JSON.stringify(c.args.blocks).includes('ebmbot_rerun')), 5000, 'the Rerun button')
    await press('ebmbot_rerun', running, 'U1', 1)
    await press('ebmbot_rerun', running, 'U1', 1)
    await fake.waitFor(() => runState(2) === 'succeeded', 12_000, 'the rerun to finish')
    await Bun.sleep(300)
    expect(s.query('select count(*) as n from runs')).toEqual([{ n: 2 }])
    expect(thread(GENERAL, ask.ts).filter((m) => m.text === 'Hello, you')).toHaveLength(2)
  }, 20_000)
})

describe('confirmation and access', () => {
  test('Approve by an outsider is refused; a lead (by group) approves once; the job then runs', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    fake.usergroups.set('SLEADS', ['ULEAD'])
    const ask = fake.mention({ user: 'UOPS', channel: DEPLOYS, text: 'prod deploy production' })
    await fake.sendEvent(ask).acked
    const prompt = await fake.waitFor(() => thread(DEPLOYS, ask.ts).find((m) => hasAction(m, 'ebmbot_approve')), 5000, 'the approval prompt')
    expect(prompt.text).toContain('needs approval')
    expect(runState(1)).toBe('awaiting_approval')

    await press('ebmbot_approve', prompt, 'UOTHER', 1)
    await fake.waitFor(() => thread(DEPLOYS, ask.ts).some((m) => m.text === 'Sorry, only <@UOPS> or an approver of `prod_deploy` may approve or deny run 1.'), 5000, 'the refusal')
    expect(runState(1)).toBe('awaiting_approval')

    await Promise.all([press('ebmbot_approve', prompt, 'ULEAD', 1), press('ebmbot_approve', prompt, 'ULEAD', 1)])
    await fake.waitFor(() => runState(1) === 'succeeded', 8000, 'the approved run')
    expect(thread(DEPLOYS, ask.ts).filter((m) => m.text?.includes('<@ULEAD> approved run 1'))).toHaveLength(1)
    expect(s.query('select approval, approval_by from runs where id = 1')).toEqual([{ approval: 'approved', approval_by: 'ULEAD' }])
    await fake.waitFor(() => thread(DEPLOYS, ask.ts).some((m) => m.text === 'deployed production'), 5000, 'the report')
  }, 20_000)

  test('Deny drops the request', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    const ask = fake.mention({ user: 'UOPS', channel: DEPLOYS, text: 'prod deploy staging' })
    await fake.sendEvent(ask).acked
    const prompt = await fake.waitFor(() => thread(DEPLOYS, ask.ts).find((m) => hasAction(m, 'ebmbot_deny')), 5000, 'the approval prompt')
    await press('ebmbot_deny', prompt, 'UOPS', 1)
    await fake.waitFor(() => runState(1) === 'cancelled', 5000, 'the denial')
    expect(s.query('select approval, approval_by from runs where id = 1')).toEqual([{ approval: 'denied', approval_by: 'UOPS' }])
  })

  test('help and refusals follow group membership and the channel', async () => {
    s = await start()
    const { fake } = s
    fake.usergroups.set('SOPS', ['UOPS'])
    const say = async (user: string, channel: string, text: string) => {
      const e = fake.mention({ user, channel, text })
      await fake.sendEvent(e).acked
      return (await fake.waitFor(() => thread(channel, e.ts)[0], 5000, `a reply to ${text}`)).text ?? ''
    }
    expect(await say('UOPS', DEPLOYS, 'help')).toContain('`prod`: Production')
    expect(await say('UOTHER', DEPLOYS, 'help')).not.toContain('`prod`')
    expect(await say('UOPS', GENERAL, 'help')).not.toContain('`prod`')
    expect(await say('UOPS', GENERAL, 'prod deploy x')).toBe('Sorry, the `prod` commands may only be run in #deploys.')
    expect(await say('UOTHER', DEPLOYS, 'prod deploy x')).toBe('Sorry, you are not on the list of people who may run the `prod` commands.')
    expect(s.query('select count(*) as n from runs')).toEqual([{ n: 0 }])
  })
})
