// Which search results the missed-message sweep acts on, as a table: search is a
// hint, so every rule of the live path is applied again to what it returns.
import { describe, expect, test } from 'bun:test'
import { missedHits, sweepQuery, type HitRules } from '../src/slack/sweep.ts'
import type { SupportRoute } from '../src/slack/support.ts'

const route: SupportRoute = {
  keywords: ['tech-support'],
  reaction: 'sos',
  channel: 'CSUPPORT',
  outOfOffice: true,
}
const now = Date.parse('2026-12-24T12:00:00Z')
const ts = (msAgo: number) => ((now - msAgo) / 1000).toFixed(6)
const rules: HitRules = {
  botUserId: 'UBOT',
  since: now - 24 * 3600_000,
  canAct: (c) => !c.isPrivate || c.id === 'GINVITED',
}

const match = (over: Record<string, unknown> = {}, channel: Record<string, unknown> = {}) => ({
  type: 'message',
  user: 'U1',
  username: 'alice',
  ts: ts(60_000),
  text: 'the deploy is stuck, tech-support',
  permalink: 'https://x.slack.com/archives/CGENERAL/p1',
  ...over,
  channel: {
    id: 'CGENERAL',
    name: 'general',
    is_channel: true,
    is_im: false,
    is_mpim: false,
    is_private: false,
    ...channel,
  },
})

describe('a search result is handled', () => {
  test.each([
    ['a person asking in a public channel', match()],
    [
      'in a private channel the bot is in',
      match(
        {},
        { id: 'GINVITED', name: 'ops', is_private: true, is_channel: false, is_group: true },
      ),
    ],
    [
      'in a thread',
      match({
        permalink:
          'https://x.slack.com/archives/CGENERAL/p2?thread_ts=1766577000.000100&cid=CGENERAL',
      }),
    ],
    [
      'with the keyword beside a link',
      match({ text: 'see <https://wiki/x> and ask @tech-support' }),
    ],
    ['just inside the look-back', match({ ts: ts(24 * 3600_000 - 1000) })],
  ])('%s', (_, m) => {
    expect(missedHits([m], route, rules)).toHaveLength(1)
  })

  test('a reply is answered in its thread, read from the permalink', () => {
    const [hit] = missedHits(
      [
        match({
          ts: '1766577060.000200',
          permalink:
            'https://x.slack.com/archives/CGENERAL/p1766577060000200?thread_ts=1766577000.000100&cid=CGENERAL',
        }),
      ],
      route,
      { ...rules, since: 0 },
    )
    expect(hit).toEqual({
      channel: 'CGENERAL',
      ts: '1766577060.000200',
      threadTs: '1766577000.000100',
      user: 'U1',
    })
    expect(missedHits([match()], route, rules)[0]!.threadTs).toBeUndefined()
  })
})

describe('a search result is left alone', () => {
  test.each([
    ['the keyword only in a link', match({ text: 'read <https://wiki.example/tech-support>' })],
    ['the keyword only in a bare URL', match({ text: 'see https://wiki.example/tech-support' })],
    ['the keyword only as part of a word', match({ text: 'ask my-tech-support-bot' })],
    [
      'the keyword only in an unfurl or forward (not the text)',
      match({ text: 'look at this', attachments: [{ text: 'tech-support' }] }),
    ],
    ['in the route’s own channel', match({}, { id: 'CSUPPORT', name: 'tech-support' })],
    ['from the bot', match({ user: 'UBOT' })],
    ['from another bot', match({ user: 'UOTHER', bot_id: 'B2' })],
    ['from an integration (no user)', match({ user: '' })],
    // Not marked private here, so the DM rule itself must catch them (not the private-channel one).
    ['a DM', match({}, { id: 'D123', name: 'U1', is_im: true, is_channel: false })],
    ['a DM known only by its id', match({}, { id: 'D124', name: 'U1', is_channel: false })],
    [
      'a group DM',
      match({}, { id: 'G456', name: 'mpdm-alice--bob-1', is_mpim: true, is_channel: false }),
    ],
    [
      'a private channel the bot is not in',
      match(
        {},
        { id: 'GSECRET', name: 'secret', is_private: true, is_channel: false, is_group: true },
      ),
    ],
    ['older than a day', match({ ts: ts(24 * 3600_000 + 1000) })],
    ['no channel or ts', match({ ts: undefined })],
  ])('%s', (_, m) => {
    expect(missedHits([m as never], route, rules)).toEqual([])
  })
})

test('the query asks for the keyword without the reaction, outside the team channel, not from the bot, recent', () => {
  expect(sweepQuery('tech-support', route, 'UBOT', now)).toBe(
    '"tech-support" -has::sos: -in:<#CSUPPORT> -from:<@UBOT> after:2026-12-21',
  )
})
