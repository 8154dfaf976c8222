// Reading a run follows the rules for running it: `status N`, `logs N`, the `status` overview and
// `history` show the runs of jobs the asker may run (a run's own requester may always read it),
// since they show the command, its params and the request text.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  prod:
    restricted: true
    allow: {users: [UOPS, UOPS2]}
    jobs:
      deploy: {run: "echo deploying [env]; sleep 30", report_stdout: true}
    commands:
      - {pattern: "deploy [env]", job: deploy}
  data:
    jobs:
      wipe: {run: "echo wiped [what]", allow: {users: [UDBA]}}
      hello: {run: echo hi}
    commands:
      - {pattern: "wipe [what]", job: wipe}
      - {pattern: hello, job: hello}
`

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const as = (user: string, extra = {}) => ({ user, channel: 'C1', ...extra })

describe('reading one run', () => {
  test('status N of an allow-listed run: refused to a member off the list, shown to its requester and to the list', async () => {
    h = await startHarness(YAML)
    const asked = await h.say('prod deploy secret-target', as('UOPS'))
    await h.waitForState(asked.runId!, ['running'])
    const outsider = await h.say(`status ${asked.runId}`, as('UOTHER'))
    expect(outsider.replies[0]).toBe(
      'Sorry, you are not on the list of people who may run the `prod` commands.',
    )
    expect((await h.say(`status ${asked.runId}`, as('UOPS'))).replies[0]).toContain('secret-target')
    expect((await h.say(`status ${asked.runId}`, as('UOPS2'))).replies[0]).toContain(
      'secret-target',
    )
    const guestLogs = await h.say(`logs ${asked.runId}`, as('UGUEST', { isGuest: true }))
    expect(guestLogs.replies[0]).toContain('only internal members')
  })

  test('a job-level allow list guards status N too; the requester still reads their own run', async () => {
    h = await startHarness(YAML)
    const asked = await h.say('data wipe customers', as('UDBA'))
    await h.waitForState(asked.runId!, ['succeeded'])
    expect((await h.say(`status ${asked.runId}`, as('UOTHER'))).replies[0]).toBe(
      'Sorry, you are not on the list of people who may run `data_wipe`.',
    )
    expect((await h.say(`status ${asked.runId}`, as('UDBA'))).replies[0]).toContain('customers')
  })
})

describe('reading many', () => {
  test('the status overview hides running jobs a guest or an outsider may not run', async () => {
    h = await startHarness(YAML)
    const asked = await h.say('prod deploy staging', as('UOPS'))
    await h.waitForState(asked.runId!, ['running'])
    expect((await h.say('status', as('UOPS'))).replies[0]).toContain('`prod_deploy`')
    expect((await h.say('status', as('UGUEST', { isGuest: true }))).replies[0]).not.toContain(
      'prod_deploy',
    )
    expect((await h.say('status', as('UOTHER'))).replies[0]).not.toContain('prod_deploy')
  })

  test('history lists only runs of jobs the asker may run', async () => {
    h = await startHarness(YAML)
    const wipe = await h.say('data wipe customers', as('UDBA'))
    const hello = await h.say('data hello', as('UOTHER'))
    await h.waitForState(wipe.runId!, ['succeeded'])
    await h.waitForState(hello.runId!, ['succeeded'])
    const deploy = await h.say('prod deploy staging', as('UOPS'))
    await h.waitForState(deploy.runId!, ['running'])
    const outsider = (await h.say('history', as('UOTHER'))).replies[0]!
    expect(outsider).toContain('data_hello')
    expect(outsider).not.toContain('data_wipe')
    expect(outsider).not.toContain('prod_deploy')
    const ops = (await h.say('history', as('UOPS'))).replies[0]!
    expect(ops).toContain('prod_deploy')
  })
})
