// How local chat shows the bot's neutral messages: Slack's mrkdwn made plain, a run's buttons
// as the verbs to type. A table of inputs and outputs, then the real terminal door end to end.
import { afterAll, describe, expect, test } from 'bun:test'
import { controlsHint, terminalText } from '../src/chat/render-terminal.ts'
import { botEnv, runBot } from './support/bot.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

describe('mrkdwn to plain text', () => {
  test.each([
    [':x: `demo_fail` failed', '❌ `demo_fail` failed'],
    ['Run 2, `demo_sleep`: *running*', 'Run 2, `demo_sleep`: running'],
    ['_quietly_ done', 'quietly done'],
    ['asked by <@U0123ABC>', 'asked by @U0123ABC'],
    [
      'see <https://example.org/x?a=1&amp;b=2|the page>',
      'see the page (https://example.org/x?a=1&b=2)',
    ],
    ['in <#C1|deploys>, <!here>', 'in #deploys, @here'],
    [':unknown_code: stays', ':unknown_code: stays'],
    ['snake_case_name and a*b*c stay', 'snake_case_name and a*b*c stay'],
  ])('%j reads %j', (input, shown) => {
    expect(terminalText(input)).toBe(shown)
  })

  test('code keeps every character, inline and fenced', () => {
    const text = 'output of `echo *x* :x:`:\n```\n*not bold* :x: <@U1>\n```'
    expect(terminalText(text)).toBe(text)
  })

  test('buttons become the verbs to type', () => {
    expect(
      controlsHint({
        runId: 7,
        caption: 'Run 7 · `demo_hello`',
        buttons: [
          { action: 'rerun', label: 'Rerun' },
          { action: 'logs', label: 'Logs' },
        ],
      }),
    ).toBe('(Run 7 · `demo_hello`: say `rerun 7` or `logs 7`)')
  })
})

test('local chat prints no raw emoji codes or bold markers, and offers the verbs of the run buttons', async () => {
  const state = tempDir()
  const r = await runBot(['chat'], { env: botEnv(state), input: 'demo fail\nstatus\n' })
  expect(r.code).toBe(0)
  expect(r.stdout).toContain('❌ `demo_fail` failed with exit code 3')
  expect(r.stdout).toContain('(Run 1 · `demo_fail`: say `rerun 1` or `logs 1`)')
  expect(r.stdout).not.toMatch(/:[a-z_]+:/)
  expect(r.stdout).not.toMatch(/(^|\s)\*\S[^*\n]*\*(\s|$)/m)
})
