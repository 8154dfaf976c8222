// The tech-support keyword rule as a table: what calls the team and what does not.
import { describe, expect, test } from 'bun:test'
import { hasKeyword } from '../src/syntax/keyword.ts'
import {
  directSupportReply,
  matchingRoutes,
  supportOutgoing,
  type SupportRoute,
} from '../src/slack/support.ts'

const calls = [
  'Tech-Support please',
  'tech-support',
  'TECH-SUPPORT!',
  '@tech-support the build is red',
  '#tech-support',
  'ask `tech-support`',
  'help - tech-support',
  '<!subteam^S123|@tech-support> can you look',
  '<#C123|tech-support> is where to ask',
  'is this one for tech-support?',
  'line one\ntech-support, line two',
  'see https://example.com/docs and tech-support',
]

const doesNotCall = [
  'tech support',
  'my-tech-support',
  'tech-support-bot',
  'tech-supports',
  'tech_support',
  'xtech-support',
  '_tech-support',
  'https://x/tech-support',
  '<https://x.example/tech-support>',
  '<https://x.example/wiki|tech-support>',
  'path/tech-support',
  '',
]

describe('a tech-support keyword', () => {
  test.each(calls)('%p calls tech-support', (text) => {
    expect(hasKeyword(text, 'tech-support')).toBe(true)
  })

  test.each(doesNotCall)('%p does not', (text) => {
    expect(hasKeyword(text, 'tech-support')).toBe(false)
  })
})

describe('support routes', () => {
  const routes: SupportRoute[] = [
    { keywords: ['tech-support'], reaction: 'sos', channel: 'CSUPPORT' },
    { keywords: ['bennett-admins', 'bennet-admins'], reaction: 'flamingo', channel: 'CADMINS' },
  ]

  test('each route is matched by any of its keywords, several routes at once', () => {
    expect(matchingRoutes('bennet-admins, please', routes).map((r) => r.reaction)).toEqual([
      'flamingo',
    ])
    expect(
      matchingRoutes('tech-support and bennett-admins', routes).map((r) => r.reaction),
    ).toEqual(['sos', 'flamingo'])
    expect(matchingRoutes('nothing here', routes)).toEqual([])
    expect(matchingRoutes(undefined, routes)).toEqual([])
  })

  test('a route stores the reaction on the message first, then its bare permalink top-level in the team channel', () => {
    expect(supportOutgoing(routes[0]!, { channel: 'CGENERAL', ts: '1.2' })).toEqual([
      {
        kind: 'reaction',
        purpose: 'ack',
        channel: 'CGENERAL',
        ts: '1.2',
        name: 'sos',
        label: 'tech-support',
      },
      {
        kind: 'message',
        purpose: 'escalation',
        channel: 'CSUPPORT',
        threadTs: null,
        text: '',
        linkTo: { channel: 'CGENERAL', ts: '1.2' },
      },
    ])
  })

  test('in a direct conversation the bot names the team it cannot call from there', () => {
    expect(directSupportReply(routes.slice(0, 1))).toContain(
      "can't call `tech-support` from a direct conversation",
    )
  })
})
