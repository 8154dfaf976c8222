// The fake Slack's search.messages, through the real web-api client: the sweep tests lean on it
// honouring tokens, modifiers, dates, paging and Slack's result shapes.
import { afterEach, expect, test } from 'bun:test'
import { WebClient, type WebAPIPlatformError } from '@slack/web-api'
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts'

let fake: FakeSlack | undefined
afterEach(async () => {
  await fake?.stop()
  fake = undefined
})

const client = (f: FakeSlack, token: string) =>
  new WebClient(token, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 } })
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: WebAPIPlatformError) => e.data?.error,
  )

test('only the user token may search, and it may do nothing else', async () => {
  fake = await startFakeSlack({
    userToken: 'xoxp-user',
    channels: [{ id: 'CGENERAL', name: 'general' }],
  })
  expect(await codeOf(client(fake, fake.botToken).search.messages({ query: 'x' }))).toBe(
    'not_allowed_token_type',
  )
  expect(
    await codeOf(client(fake, 'xoxp-user').chat.postMessage({ channel: 'CGENERAL', text: 'hi' })),
  ).toBe('not_allowed_token_type')
  expect(await codeOf(client(fake, 'xoxp-user').search.messages({ query: 'x' }))).toBe('ok')
})

test('words, reactions, channels, senders and dates filter; newest first; Slack-shaped matches', async () => {
  fake = await startFakeSlack({
    userToken: 'xoxp-user',
    channels: [
      { id: 'CGENERAL', name: 'general' },
      { id: 'CSUPPORT', name: 'tech-support' },
    ],
  })
  const a = fake.say({ user: 'U1', channel: 'CGENERAL', text: 'Tech-Support please' })
  const b = fake.say({
    user: 'U2',
    channel: 'CGENERAL',
    text: 'tech-support again',
    thread_ts: a.ts,
  })
  const reacted = fake.say({ user: 'U1', channel: 'CGENERAL', text: 'tech-support done' })
  fake.reactions.push({ channel: 'CGENERAL', timestamp: reacted.ts, name: 'sos' })
  fake.say({ user: 'U1', channel: 'CSUPPORT', text: 'tech-support here' })
  fake.say({ user: 'UBOT', bot_id: 'BBOT', channel: 'CGENERAL', text: 'tech-support is away' })
  const dm = fake.say({ user: 'U1', channel: 'D1', text: 'tech-support in a DM' })
  fake.say({ user: 'U1', channel: 'CGENERAL', text: 'unrelated' })
  fake.say({ user: 'U1', channel: 'CGENERAL', text: 'old tech-support', ts: '1700000000.000100' })

  const search = client(fake, 'xoxp-user')
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const res = await search.search.messages({
    query: `"tech-support" -has::sos: -in:<#CSUPPORT> -from:<@UBOT> after:${yesterday}`,
    sort: 'timestamp',
    sort_dir: 'desc',
  })
  const matches = res.messages!.matches!
  expect(matches.map((m) => m.ts)).toEqual([dm.ts, b.ts, a.ts])
  expect(matches[1]).toMatchObject({
    user: 'U2',
    text: 'tech-support again',
    channel: { id: 'CGENERAL', name: 'general', is_im: false, is_private: false },
  })
  expect(matches[1]!.permalink).toBe(
    `https://fake.slack/archives/CGENERAL/p${b.ts.replace('.', '')}?thread_ts=${a.ts}&cid=CGENERAL`,
  )
  expect(matches[0]!.channel).toMatchObject({ id: 'D1', is_im: true })

  const paged = await search.search.messages({ query: 'tech-support', count: 2, page: 2 })
  expect(paged.messages!.paging).toMatchObject({ count: 2, page: 2, pages: 4, total: 7 })
  expect(paged.messages!.matches).toHaveLength(2)
})
