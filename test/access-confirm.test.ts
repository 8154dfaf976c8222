// Access rules (who may run what, where) in help and refusals; the confirmation flow for
// `confirm: true` jobs: approve, deny, timeout, unauthorised approver, double clicks.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { DOUBLE_CLICK_MS, handleAction } from '../src/app/handle-action.ts'
import { getRun } from '../src/queue/read.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s, confirm_timeout: 1h}
namespaces:
  prod:
    description: Production
    allow: {users: [UOPS, UBOSS], groups: [SOPS], channels: [COPS, "#deploys"]}
    approvers: {users: [UBOSS], groups: [SLEADS]}
    jobs:
      deploy:
        run: echo deployed [env]
        report_stdout: true
        confirm: true
      quick:
        run: echo quick
        confirm: true
        confirm_timeout: 1s
      restart:
        run: echo restarted
        allow: {users: [UBOSS]}
    commands:
      - {pattern: "deploy [env]", job: deploy, help: deploy to an environment}
      - {pattern: quick, job: quick}
      - {pattern: restart, job: restart, help: restart everything}
  demo:
    description: Demo
    jobs:
      hello: {run: echo hi}
    commands:
      - {pattern: hello, job: hello, help: say hi}
`

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

describe('access rules', () => {
  test('help lists only what the user may run in this channel', async () => {
    h = await startHarness(YAML)
    const outsider = (await h.say('help', { user: 'UOTHER', channel: 'COPS' })).replies[0]!
    expect(outsider).toContain('`demo`')
    expect(outsider).not.toContain('`prod`')
    const ops = (await h.say('help', { user: 'UOPS', channel: 'COPS' })).replies[0]!
    expect(ops).toContain('`prod`: Production')
    const opsHelp = (await h.say('prod help', { user: 'UOPS', channel: 'COPS' })).replies[0]!
    expect(opsHelp).toContain('`prod deploy [env]`')
    expect(opsHelp).not.toContain('restart') // job rule: only UBOSS
    const wrongChannel = (await h.say('help', { user: 'UOPS', channel: 'CRANDOM' })).replies[0]!
    expect(wrongChannel).not.toContain('`prod`')
    const byGroup = (
      await h.say('help', {
        user: 'UNEW',
        groups: ['SOPS'],
        channelName: 'deploys',
        channel: 'CDEP',
      })
    ).replies[0]!
    expect(byGroup).toContain('`prod`')
  })
  test('refusals say why in one line and queue nothing', async () => {
    h = await startHarness(YAML)
    const who = await h.say('prod deploy staging', { user: 'UOTHER', channel: 'COPS' })
    expect(who.replies).toEqual([
      'Sorry, you are not on the list of people who may run the `prod` commands.',
    ])
    expect(who.accepted).toBe(false)
    const where = await h.say('prod deploy staging', { user: 'UOPS', channel: 'CRANDOM' })
    expect(where.replies).toEqual([
      'Sorry, the `prod` commands may only be run in <#COPS>, #deploys.',
    ])
    const job = await h.say('prod restart', { user: 'UOPS', channel: 'COPS' })
    expect(job.replies).toEqual([
      'Sorry, you are not on the list of people who may run `prod_restart`.',
    ])
    expect(sqliteOf(h.ctx).sqlite.query('select count(*) as n from runs').get()).toEqual({ n: 0 })
  })
})

describe('confirmation', () => {
  const ask = (hh: Harness) =>
    hh.say('prod deploy production', {
      user: 'UOPS',
      channel: 'COPS',
      threadTs: '700.1',
      messageTs: '700.1',
    })
  const inThread = (n: number, user: string) => ({
    user,
    channel: 'COPS',
    threadTs: '700.1',
    messageTs: `700.${100 + n}`,
  })

  test('a confirm job waits; approve by `yes` in the thread starts it; the decision is recorded', async () => {
    h = await startHarness(YAML)
    const asked = await ask(h)
    expect(asked.replies[0]).toContain(`\`prod_deploy\` (run ${asked.runId}) needs approval`)
    const prompt = h.messages().length
      ? h.messages()
      : await h.waitForMessage((m) => !!m.controls).then(() => h.messages())
    const withButtons = prompt.find((m) => m.controls)!
    expect(withButtons.controls?.buttons.map((b) => b.action)).toEqual(['approve', 'deny'])
    await Bun.sleep(300)
    expect(getRun(sqliteOf(h.ctx).db, asked.runId!)?.state).toBe('awaiting_approval') // not started by itself

    const yes = await h.say('yes', inThread(1, 'UOPS'))
    expect(yes.replies[0]).toContain(`<@UOPS> approved run ${asked.runId}`)
    const run = await h.waitForState(asked.runId!, ['succeeded'])
    expect(run).toMatchObject({ approval: 'approved', approvalBy: 'UOPS' })
    expect(run.approvalAt).toBeGreaterThan(0)
    await h.waitForMessage((m) => m.text === 'deployed production' && m.threadTs === '700.1')
  })
  test('status lists a run waiting for approval (not "nothing is happening"), and drops it once approved', async () => {
    h = await startHarness(YAML)
    const asked = await ask(h)
    const status = (await h.say('status', { user: 'UOPS', channel: 'COPS' })).replies[0]!
    expect(status).not.toContain('Nothing is happening')
    expect(status).toContain(
      `1 run waiting for approval:\n• [${asked.runId}] \`prod_deploy\` asked by <@UOPS>, until `,
    )
    expect(status).toContain(`(\`approve ${asked.runId}\` or \`deny ${asked.runId}\`)`)
    await h.say('yes', inThread(1, 'UOPS'))
    await h.waitForState(asked.runId!, ['succeeded'])
    const after = (await h.say('status', { user: 'UOPS', channel: 'COPS' })).replies[0]!
    expect(after).toContain('Nothing is happening')
  })
  test('an approver (by group) may approve; anyone else is refused and nothing starts', async () => {
    h = await startHarness(YAML)
    const asked = await ask(h)
    // UOTHER may run prod jobs (by group) but is not an approver.
    const stranger = await h.say(`approve ${asked.runId}`, {
      user: 'UOTHER',
      groups: ['SOPS'],
      channel: 'COPS',
    })
    expect(stranger.replies[0]).toBe(
      `Sorry, only <@UOPS> or an approver of \`prod_deploy\` may approve or deny run ${asked.runId}.`,
    )
    expect(getRun(sqliteOf(h.ctx).db, asked.runId!)?.state).toBe('awaiting_approval')
    // An approver must also be allowed to run the job: ULEAD is, through SOPS.
    const lead = await h.say(`approve ${asked.runId}`, {
      user: 'ULEAD',
      groups: ['SLEADS', 'SOPS'],
      channel: 'COPS',
    })
    expect(lead.accepted).toBe(true)
    expect(await h.waitForState(asked.runId!, ['succeeded'])).toMatchObject({ approvalBy: 'ULEAD' })
  })
  test('deny drops the request and says so', async () => {
    h = await startHarness(YAML)
    const asked = await ask(h)
    const no = await h.say('no', inThread(1, 'UBOSS'))
    expect(no.replies[0]).toBe(
      `:no_entry_sign: <@UBOSS> denied run ${asked.runId} (\`prod_deploy\`); it will not run.`,
    )
    expect(getRun(sqliteOf(h.ctx).db, asked.runId!)).toMatchObject({
      state: 'cancelled',
      approval: 'denied',
      approvalBy: 'UBOSS',
    })
  })
  test('nobody deciding in time drops the request, with word in the thread', async () => {
    h = await startHarness(YAML)
    const asked = await h.say('prod quick', {
      user: 'UOPS',
      channel: 'COPS',
      threadTs: '800.1',
      messageTs: '800.1',
    })
    const run = await h.waitForState(asked.runId!, ['cancelled'], 10_000)
    expect(run.approval).toBe('expired')
    await h.waitForMessage(
      (m) => m.text.includes(`Nobody approved run ${asked.runId}`) && m.threadTs === '800.1',
    )
  })
  test('a double click on Approve decides once; Rerun and Cancel buttons act once per message', async () => {
    h = await startHarness(YAML)
    const asked = await ask(h)
    const press = (action: 'approve' | 'rerun', runId: number, buttonMessageTs: string) =>
      handleAction(h.ctx, {
        action,
        runId,
        buttonMessageTs,
        door: 'slack',
        user: 'UBOSS',
        isGuest: false,
        channel: 'COPS',
        threadTs: '700.1',
      })
    const [a, b] = await Promise.all([
      press('approve', asked.runId!, '700.5'),
      press('approve', asked.runId!, '700.5'),
    ])
    const texts = [a, b].flatMap((x) => ('replies' in x ? x.replies : []))
    expect(texts.filter((t) => t.includes('approved run'))).toHaveLength(1)
    expect(texts.filter((t) => t.includes('is not waiting for approval'))).toHaveLength(1)
    await h.waitForState(asked.runId!, ['succeeded'])

    const first = await press('rerun', asked.runId!, '700.9')
    const second = await press('rerun', asked.runId!, '700.9')
    expect(second).toEqual({ kind: 'duplicate', accepted: false, replies: [] })
    expect('runId' in first && first.runId).toBeGreaterThan(asked.runId!)
    // A rerun of a confirm job asks again.
    expect(getRun(sqliteOf(h.ctx).db, (first as { runId: number }).runId)?.state).toBe(
      'awaiting_approval',
    )
    // The same Rerun pressed again later is not a double click: it reruns again.
    const later = Date.now() + DOUBLE_CLICK_MS
    h.ctx.now = () => later
    const third = await press('rerun', asked.runId!, '700.9')
    expect(third.accepted).toBe(true)
    expect('runId' in third && third.runId).toBeGreaterThan((first as { runId: number }).runId)
  })
})
