// Text clean-up as users type it: mentions, reminders, links, spacing, punctuation.
import { describe, expect, test } from 'bun:test'
import { cleanText } from '../src/commands/clean.ts'

const BOT = 'UBOT'
const cases: [string, string][] = [
  ['<@UBOT> demo hello world', 'demo hello world'],
  ['hey team, <@UBOT> demo hello', 'demo hello'],
  ['<@UBOT|ebmbot> status', 'status'],
  ['<@UBOT> op deploy <@UBOT> now', 'op deploy now'],
  ['<@UBOTX> status', '<@UBOTX> status'],
  ['<@UBOT> demo hello <@U123>', 'demo hello <@U123>'],
  ['Reminder: <@UBOT> op deploy.', 'op deploy'],
  ['Reminder: op deploy', 'op deploy'],
  ['<@UBOT> say Reminder: later', 'say Reminder: later'],
  [
    '<@UBOT> demo fetch <https://example.com/a?b=c|example.com/a>',
    'demo fetch https://example.com/a?b=c',
  ],
  ['<@UBOT> demo fetch <https://example.com>', 'demo fetch https://example.com'],
  ['<@UBOT> demo mail <mailto:a@b.org|a@b.org>', 'demo mail a@b.org'],
  ['<@UBOT> demo in <#C123|general>', 'demo in <#C123|general>'],
  ['  <@UBOT>   demo    hello   big   world  ', 'demo hello big world'],
  ['<@UBOT> demo help?', 'demo help'],
  ['<@UBOT> status!!', 'status'],
  ['<@UBOT> demo hello world.,!?', 'demo hello world'],
  ['<@UBOT>', ''],
  ['<@UBOT> demo hello a\u0000b', 'demo hello ab'],
  // Quoted lines repeat what was said before: never part of the command.
  ['<@UBOT> status\n&gt; <@UBOT> op deploy prod', 'status'],
  ['&gt; <@UBOT> op deploy', ''],
  ['> op deploy\n<@UBOT> demo hello', 'demo hello'],
]

describe('cleanText', () => {
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      expect(cleanText(input, { botUserId: BOT })).toBe(expected)
    })
  }
  test('a message without the bot mention keeps its text (DMs and local chat)', () => {
    expect(cleanText('demo hello world')).toBe('demo hello world')
  })
})
