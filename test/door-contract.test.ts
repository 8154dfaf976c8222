// The door contract: a door written entirely in its own folder (test/support/test-door) and
// wired in here runs a job that needs approval end to end. What it gets back is neutral: text,
// and buttons as data it renders itself, never Slack's Block Kit; nothing goes to another door.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { startTestDoor } from './support/test-door/index.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})

const YAML = `
settings: {poll_interval: 1s}
namespaces:
  ops:
    description: Operations
    approvers: {users: [bob]}
    jobs:
      deploy: {run: 'echo deployed [env]', report_stdout: true, confirm: true}
    commands:
      - {pattern: "deploy [env]", job: deploy, help: deploy somewhere}
`

test('a third door asks, is asked to approve with buttons as data, presses Approve, and gets the report', async () => {
  h = startHarness(YAML)
  const door = startTestDoor(h.ctx)
  try {
    const asked = await door.say('ops deploy staging')
    expect(asked).toMatchObject({ kind: 'schedule', accepted: true })
    const prompt = await waitUntil('the approval prompt', () =>
      door.messages().find((m) => m.controls?.buttons.some((b) => b.action === 'approve')),
    )
    expect(prompt.text).toContain('needs approval before it starts')
    expect(prompt.controls).toEqual({
      runId: asked.runId!,
      buttons: [
        { action: 'approve', label: 'Approve', style: 'primary' },
        { action: 'deny', label: 'Deny', style: 'danger' },
      ],
    })
    const approved = await door.press('approve', asked.runId!, 'bob', prompt.threadTs!)
    expect(approved.accepted).toBe(true)
    const report = await waitUntil('the report', () =>
      door.messages().find((m) => m.purpose === 'report' && m.text.includes('deployed staging')),
    )
    expect(report.controls?.buttons.map((b) => b.action)).toEqual(['rerun', 'logs'])
    // Neutral all the way: no Block Kit in anything this door got, and nothing went to Slack.
    expect(JSON.stringify(door.received)).not.toMatch(/"blocks"|"type":"section"|ebmbot_/)
    expect(h.sent).toEqual([])
  } finally {
    await door.stop()
  }
})
