// Who may approve a confirm job: an approver must also be allowed to run it (guest rule, allow
// lists); under `confirm: approvers` the requester may not approve their own request, nor a
// rerun they asked for of someone else's run.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { handleAction } from '../src/app/handle-action.ts'
import { getRun } from '../src/queue/read.ts'
import { configErrorOf } from './support/configs.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { sqliteOf } from './support/sqlite-of.ts'
import { cleanupTemp } from './support/temp.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s, confirm_timeout: 1h}
namespaces:
  prod:
    restricted: true
    allow: {users: [UOPS, UOPS2, UBOSS, UGUESTBOSS], channels: [COPS]}
    approvers: {users: [UBOSS, UOPS2, UGUESTBOSS, UOUTSIDE]}
    jobs:
      deploy:
        run: echo deployed [env]
        report_stdout: true
        confirm: approvers
      patch:
        run: echo patched
        confirm: true
    commands:
      - {pattern: "deploy [env]", job: deploy}
      - {pattern: patch, job: patch}
`

// The same without the two-person rule: what every confirm job's approvers must pass.
const PLAIN = YAML.replace('confirm: approvers', 'confirm: true')

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const at = (user: string, n: number, extra = {}) => ({
  user,
  channel: 'COPS',
  threadTs: '700.1',
  messageTs: `700.${100 + n}`,
  ...extra,
})
const ask = (text = 'prod deploy production', user = 'UOPS') =>
  h!.say(text, { user, channel: 'COPS', threadTs: '700.1', messageTs: '700.1' })

describe('confirm: approvers (two people)', () => {
  test('the requester cannot approve their own deploy; another approver can, and it runs', async () => {
    h = await startHarness(YAML)
    const asked = await ask()
    expect(asked.replies[0]).toContain('An approver other than <@UOPS>')
    const own = await h!.say('yes', at('UOPS', 1))
    expect(own.replies[0]).toBe(
      'Sorry, `prod_deploy` needs a second person: an approver other than the requester must approve it.',
    )
    expect(getRun(sqliteOf(h!.ctx).db, asked.runId!)?.state).toBe('awaiting_approval')
    const boss = await h!.say('yes', at('UBOSS', 2))
    expect(boss.accepted).toBe(true)
    expect(await h!.waitForState(asked.runId!, ['succeeded'])).toMatchObject({
      approvalBy: 'UBOSS',
    })
  })

  test('an approver who requested it cannot approve it either, but may withdraw it', async () => {
    h = await startHarness(YAML)
    const asked = await ask('prod deploy production', 'UBOSS')
    expect((await h!.say('yes', at('UBOSS', 1))).accepted).toBe(false)
    const no = await h!.say('no', at('UBOSS', 2))
    expect(no.accepted).toBe(true)
    expect(getRun(sqliteOf(h!.ctx).db, asked.runId!)).toMatchObject({ approval: 'denied' })
  })

  test('rerun N of someone else’s deploy makes a fresh request the rerunner cannot approve', async () => {
    h = await startHarness(YAML)
    const asked = await ask()
    await h!.say('yes', at('UBOSS', 1))
    await h!.waitForState(asked.runId!, ['succeeded'])
    const rerun = await handleAction(h!.ctx, {
      action: 'rerun',
      runId: asked.runId!,
      buttonMessageTs: '700.9',
      door: 'slack',
      user: 'UOPS2',
      isGuest: false,
      channel: 'COPS',
      threadTs: '700.1',
    })
    const again = (rerun as { runId: number }).runId
    expect(getRun(sqliteOf(h!.ctx).db, again)).toMatchObject({
      state: 'awaiting_approval',
      requestedBy: 'UOPS2',
    })
    const own = await h!.say(`approve ${again}`, at('UOPS2', 2))
    expect(own.replies[0]).toContain('needs a second person')
    expect(getRun(sqliteOf(h!.ctx).db, again)?.state).toBe('awaiting_approval')
  })
})

describe('approvers follow the rules for running', () => {
  test('a guest approver cannot approve a restricted job', async () => {
    h = await startHarness(PLAIN)
    const asked = await ask('prod patch')
    const guest = await h!.say(`approve ${asked.runId}`, at('UGUESTBOSS', 1, { isGuest: true }))
    expect(guest.replies[0]).toBe(
      'Sorry, only internal members of this workspace may use the `prod` commands.',
    )
    expect(getRun(sqliteOf(h!.ctx).db, asked.runId!)?.state).toBe('awaiting_approval')
  })

  test('an approver off the allow list cannot approve', async () => {
    h = await startHarness(PLAIN)
    const asked = await ask('prod patch')
    const outside = await h!.say(`approve ${asked.runId}`, at('UOUTSIDE', 1))
    expect(outside.replies[0]).toBe(
      'Sorry, you are not on the list of people who may run the `prod` commands.',
    )
    expect(getRun(sqliteOf(h!.ctx).db, asked.runId!)?.state).toBe('awaiting_approval')
  })

  test('confirm: approvers with nobody listed to approve is refused at load', () => {
    const e = configErrorOf(`
namespaces:
  prod:
    jobs: {deploy: {run: echo hi, confirm: approvers}}
    commands: [{pattern: deploy, job: deploy}]
`)
    expect(e.message).toContain('confirm: approvers needs someone other than the requester')
    expect(e.message).toContain('namespaces.prod.jobs.deploy.confirm')
  })
})
