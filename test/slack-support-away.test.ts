// Tech-support's out of office by a real `ebmbot serve` against the fake Slack:
// the `out-of-office` commands, the away reply before the repost, refusals, and a restart.
import { afterEach, describe, expect, test } from 'bun:test'
import { longDay, utcDay } from '../src/commands/away.ts'
import {
  GENERAL,
  SUPPORT,
  startSlackBot,
  stopSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

let s: SlackBot | undefined

afterEach(async () => {
  await stopSlackBot(s)
  s = undefined
}, HOOK_TIMEOUT)

/** A UTC day relative to today, as the bot will judge it. */
const day = (offset: number) => utcDay(Date.now() + offset * 86_400_000)
const permalink = (channel: string, ts: string) =>
  `https://fake.slack/archives/${channel}/p${ts.replace('.', '')}`

/** Mentions the bot and returns the reply in the mention's thread. */
async function command(bot: SlackBot, text: string, user = 'U1') {
  const event = bot.fake.mention({ user, channel: GENERAL, text })
  await bot.fake.sendEvent(event).acked
  const reply = await bot.fake.waitFor(
    (f) => f.messages.find((m) => m.thread_ts === event.ts),
    5000,
    `the reply to "${text}"`,
  )
  return { event, text: reply.text ?? '' }
}

/** A channel message asking for tech-support, delivered, and its repost awaited. */
async function askSupport(bot: SlackBot, text = 'the site is down, tech-support') {
  const event = bot.fake.channelMessage({ user: 'U2', channel: GENERAL, text })
  await bot.fake.sendEvent(event).acked
  await bot.fake.waitFor(
    (f) => f.messages.find((m) => m.channel === SUPPORT && m.text === permalink(GENERAL, event.ts)),
    5000,
    'the repost',
  )
  return event
}

const awayRows = (bot: SlackBot) =>
  bot.query<{ route: string; starts_on: string; ends_on: string; set_by: string }>(
    'select route, starts_on, ends_on, set_by from support_away',
  )

describe('out of office', () => {
  test('on: a keyword message gets the away reply in its thread first, then the reaction and repost; show; off: no away reply', async () => {
    s = await startSlackBot()
    const { fake } = s
    const [from, to] = [day(0), day(3)]

    const on = await command(s, `out-of-office from ${from} to ${to}`)
    expect(on.text).toContain(
      `Tech-support is out of office from ${longDay(from)} to ${longDay(to)} (UTC, both included)`,
    )
    await fake.waitFor(
      (f) => f.reactions.find((r) => r.timestamp === on.event.ts && r.name === 'crossed_fingers'),
      5000,
      'the acknowledgement',
    )
    expect(awayRows(s)).toEqual([
      { route: 'tech-support', starts_on: from, ends_on: to, set_by: 'U1' },
    ])

    const ask = await askSupport(s)
    // The repost is awaited; the reaction may come in a later round of its channel.
    await fake.waitFor(
      (f) => f.calls.find((c) => c.method === 'reactions.add' && c.args.timestamp === ask.ts),
      5000,
      'the reaction',
    )
    const callIndex = (pred: (c: (typeof fake.calls)[number]) => boolean) =>
      fake.calls.findIndex(pred)
    const awayReply = callIndex(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === ask.ts,
    )
    const reaction = callIndex((c) => c.method === 'reactions.add' && c.args.timestamp === ask.ts)
    const repost = callIndex((c) => c.method === 'chat.postMessage' && c.args.channel === SUPPORT)
    // The away reply goes first. The reaction (in the asker's channel, behind that reply) and the
    // repost (in the support channel) follow; channels take turns, so their order may vary.
    expect(awayReply).toBeGreaterThan(-1)
    expect(awayReply).toBeLessThan(reaction)
    expect(awayReply).toBeLessThan(repost)
    const notice = fake.messages.find((m) => m.thread_ts === ask.ts)!
    expect(notice.channel).toBe(GENERAL)
    expect(notice.text).toContain(`out of office until the end of ${longDay(to)} (UTC)`)

    const show = await command(s, 'out-of-office')
    expect(show.text).toBe(
      `Tech-support is out of office from ${longDay(from)} to ${longDay(to)} (UTC, both included), set by <@U1>. Say \`out-of-office off\` to end it.`,
    )

    const off = await command(s, 'out-of-office off')
    expect(off.text).toBe('Tech-support is no longer marked out of office.')
    expect(awayRows(s)).toEqual([])
    const later = await askSupport(s, 'tech-support, it is still down')
    await Bun.sleep(200)
    expect(fake.messages.filter((m) => m.thread_ts === later.ts)).toEqual([])
    expect(fake.reactions.filter((r) => r.timestamp === later.ts)).toEqual([
      { channel: GENERAL, timestamp: later.ts, name: 'sos' },
    ])
    // Without SLACK_BOT_USER_TOKEN the sweep is off: Slack search is never asked.
    expect(fake.callsOf('search.messages')).toEqual([])
    expect(s.bot.out.stderr).toContain('event=slack.sweep_off')
  })

  test('dates set for later do not answer today', async () => {
    s = await startSlackBot()
    const set = await command(s, `out-of-office from ${day(2)} to ${day(4)}`)
    expect(set.text).toContain(`Tech-support will be out of office from ${longDay(day(2))}`)
    const ask = await askSupport(s)
    await Bun.sleep(200)
    expect(s.fake.messages.filter((m) => m.thread_ts === ask.ts)).toEqual([])
  })

  test('impossible dates, a start after the end and an end already past are refused, and nothing is stored', async () => {
    s = await startSlackBot()
    const cases: [string, string][] = [
      [
        'out-of-office from 2026-02-30 to 2099-01-02',
        'Sorry, `2026-02-30` is not a date: February 2026 has 28 days. Nothing was changed.',
      ],
      [
        `out-of-office from ${day(5)} to ${day(2)}`,
        `Sorry, the start (${day(5)}) is after the end (${day(2)}); give the earlier date first. Nothing was changed.`,
      ],
      [
        `out-of-office from ${day(-5)} to ${day(-1)}`,
        `Sorry, ${day(-1)} has already passed (today is ${day(0)}, UTC). Nothing was changed.`,
      ],
      [
        'out-of-office from tomorrow to friday',
        'Sorry, `tomorrow` is not a date: write it as `YYYY-MM-DD`, e.g. `2026-12-24`. Nothing was changed.',
      ],
    ]
    for (const [text, want] of cases) {
      const res = await command(s, text)
      expect(res.text).toBe(want)
      expect(s.fake.reactions.filter((r) => r.timestamp === res.event.ts)).toEqual([])
    }
    expect(awayRows(s)).toEqual([])
  })

  test('a guest is refused even where no namespace is restricted; a member may', async () => {
    const yaml = `
namespaces:
  demo:
    jobs:
      hello: { run: echo hello }
    commands:
      - { pattern: hello, job: hello }
`
    s = await startSlackBot({ yaml })
    const refused = await command(s, `out-of-office from ${day(0)} to ${day(1)}`, 'UGUEST')
    expect(refused.text).toBe(
      'Sorry, only internal members of this workspace may use the `out-of-office` commands.',
    )
    expect(s.fake.callsOf('users.info').map((c) => c.args.user)).toContain('UGUEST')
    expect((await command(s, 'out-of-office', 'UGUEST')).text).toContain('only internal members')
    expect(awayRows(s)).toEqual([])

    const allowed = await command(s, `out-of-office from ${day(0)} to ${day(1)}`, 'U1')
    expect(allowed.text).toContain('Tech-support is out of office')
    expect(awayRows(s)).toHaveLength(1)
  })

  test('the dates survive a restart', async () => {
    s = await startSlackBot()
    await command(s, `out-of-office until ${day(2)}`)
    expect(await s.stop()).toBe(0)
    await s.restart()

    const ask = await askSupport(s)
    const notice = s.fake.messages.find((m) => m.thread_ts === ask.ts)
    expect(notice?.text).toContain(`out of office until the end of ${longDay(day(2))}`)
    expect((await command(s, 'out-of-office')).text).toContain(
      `is out of office from ${longDay(day(0))} to ${longDay(day(2))}`,
    )
  })
})
