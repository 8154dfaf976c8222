// The missed-message sweep by a real `ebmbot serve` against the fake Slack: with
// SLACK_BOT_USER_TOKEN, keyword messages whose events never arrived are found by search and get
// the reaction and repost once; what the live path would ignore is left alone; the live path and
// the sweep never both post.
import { afterEach, describe, expect, test } from 'bun:test'
import { longDay, utcDay } from '../src/commands/away.ts'
import type { FakeChannel } from './support/fake-slack.ts'
import {
  BOT_TOKEN,
  fakeOptions,
  GENERAL,
  SLACK_YAML,
  SUPPORT,
  startSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

const USER_TOKEN = 'xoxp-2222-secret-user-token'

let s: SlackBot | undefined

afterEach(async () => {
  if (s) {
    await s.stop()
    // Whatever happened, the person's token never reaches a log line.
    expect(s.bot.out.stderr).not.toContain(USER_TOKEN)
    await s.fake.stop()
  }
  s = undefined
  cleanupTemp()
}, HOOK_TIMEOUT)

const permalink = (channel: string, ts: string) =>
  `https://fake.slack/archives/${channel}/p${ts.replace('.', '')}`
const reposts = (bot: SlackBot) =>
  bot.fake.messages.filter((m) => m.channel === SUPPORT).map((m) => m.text)

function startSweeping(extraChannels: FakeChannel[] = []) {
  return startSlackBot({
    yaml: SLACK_YAML.replace('settings:\n', 'settings:\n  sweep_interval: 150ms\n'),
    env: { SLACK_BOT_USER_TOKEN: USER_TOKEN },
    fake: { userToken: USER_TOKEN, channels: [...fakeOptions().channels!, ...extraChannels] },
  })
}

/** Waits until the bot has run `n` more searches than now (each sweep runs one per keyword). */
async function moreSweeps(bot: SlackBot, n = 3) {
  const before = bot.fake.callsOf('search.messages').length
  await bot.fake.waitFor(
    (f) => f.callsOf('search.messages').filter((c) => c.status).length >= before + n,
    5000,
    `${n} more searches`,
  )
}

describe('the missed-message sweep', () => {
  test('a message whose event never came is found, reacted to and reposted once, with the bot token', async () => {
    s = await startSweeping()
    const { fake } = s
    // Reactions are slow, so several sweeps see the message still without its reaction: only the
    // stored mark can keep them from handling it again.
    fake.delay('reactions.add', 600)
    const missed = fake.say({
      user: 'U1',
      channel: GENERAL,
      text: 'is anyone from tech-support around?',
    })

    await fake.waitFor((f) => f.messages.some((m) => m.channel === SUPPORT), 5000, 'the repost')
    await moreSweeps(s)
    expect(reposts(s)).toEqual([permalink(GENERAL, missed.ts)])
    expect(fake.reactions).toEqual([{ channel: GENERAL, timestamp: missed.ts, name: 'sos' }])
    expect(s.bot.out.stderr.match(/event=slack.sweep_found/g)).toHaveLength(1)

    // Search with the person's token only, asking what the live path would act on; everything
    // the bot says or does, with its own token.
    const searches = fake.callsOf('search.messages')
    expect(new Set(searches.map((c) => c.token))).toEqual(new Set([USER_TOKEN]))
    expect(searches[0]!.args).toMatchObject({ sort: 'timestamp', sort_dir: 'desc' })
    expect(String(searches[0]!.args.query)).toStartWith(
      `"tech-support" -has::sos: -in:<#${SUPPORT}> -from:<@UBOT> after:`,
    )
    for (const c of [...fake.callsOf('reactions.add'), ...fake.callsOf('chat.postMessage')])
      expect(c.token).toBe(BOT_TOKEN)
  })

  test('already reacted, in the tech-support channel, from the bot, in a DM, or only in a link: left alone', async () => {
    s = await startSweeping()
    const { fake } = s
    const reacted = fake.say({ user: 'U1', channel: GENERAL, text: 'tech-support: sorted, thanks' })
    fake.reactions.push({ channel: GENERAL, timestamp: reacted.ts, name: 'sos' })
    fake.say({ user: 'U1', channel: SUPPORT, text: 'tech-support: looking at it' })
    fake.say({
      user: 'UBOT',
      bot_id: 'BBOT',
      channel: GENERAL,
      text: 'Tech-support is out of office until Friday',
    })
    const dm = fake.say({ user: 'U1', channel: 'D1', text: 'can tech-support help me?' })
    const link = fake.say({
      user: 'U2',
      channel: GENERAL,
      text: 'read <https://wiki.example/tech-support>',
    })
    // Said last, so a sweep that reaches it has looked at all of the above.
    const real = fake.say({ user: 'U2', channel: GENERAL, text: 'tech-support, the build is red' })

    await fake.waitFor(
      (f) => f.messages.some((m) => m.channel === SUPPORT),
      5000,
      'the repost of the real one',
    )
    await moreSweeps(s)
    expect(reposts(s)).toEqual([permalink(GENERAL, real.ts)])
    expect(fake.reactions.map((r) => r.timestamp)).toEqual([reacted.ts, real.ts])
    expect(fake.messages.filter((m) => m.channel === 'D1')).toEqual([])
    // Search did return the DM and the link: the bot itself turned them down.
    const returned = (
      fake.callsOf('search.messages').at(-1)!.response as {
        messages: { matches: { ts: string }[] }
      }
    ).messages.matches.map((m) => m.ts)
    expect(returned).toContain(dm.ts)
    expect(returned).toContain(link.ts)
  })

  test('the live path and the sweep never both post: whichever comes second finds the message taken', async () => {
    s = await startSweeping()
    const { fake } = s
    fake.delay('reactions.add', 400)
    // Live first: the event arrives as it is said; sweeps then find it without its reaction.
    const live = fake.say({ user: 'U1', channel: GENERAL, text: 'tech-support please' })
    await fake.sendEvent(live).acked
    await fake.waitFor(
      (f) => f.messages.some((m) => m.text === permalink(GENERAL, live.ts)),
      5000,
      'the live repost',
    )
    await moreSweeps(s)

    // Sweep first: the event comes late (a redelivery after a reconnect, say).
    const late = fake.say({ user: 'U2', channel: GENERAL, text: 'also, tech-support: the VPN' })
    await fake.waitFor(
      (f) => f.messages.some((m) => m.text === permalink(GENERAL, late.ts)),
      5000,
      'the swept repost',
    )
    await fake.sendEvent(late).acked
    await moreSweeps(s)

    expect(reposts(s)).toEqual([permalink(GENERAL, live.ts), permalink(GENERAL, late.ts)])
    expect(fake.reactions.map((r) => r.timestamp)).toEqual([live.ts, late.ts])
    expect(
      s.query<{ n: number }>(
        "select count(*) as n from outbox where json_extract(payload, '$.purpose') = 'escalation'",
      ),
    ).toEqual([{ n: 2 }])
  })

  test('a swept message in a thread, while tech-support is away, gets the away reply in that thread first', async () => {
    s = await startSweeping()
    const { fake } = s
    const end = utcDay(Date.now() + 2 * 86_400_000)
    const cmd = fake.mention({ user: 'U1', channel: GENERAL, text: `out-of-office until ${end}` })
    await fake.sendEvent(cmd).acked
    await fake.waitFor(
      (f) => f.messages.some((m) => m.thread_ts === cmd.ts),
      5000,
      'the confirmation',
    )

    const parent = fake.say({ user: 'U2', channel: GENERAL, text: 'deploys are failing' })
    const reply = fake.say({
      user: 'U2',
      channel: GENERAL,
      text: 'tech-support, any idea?',
      thread_ts: parent.ts,
    })
    await fake.waitFor((f) => f.messages.some((m) => m.channel === SUPPORT), 5000, 'the repost')
    const notice = fake.messages.find((m) => m.thread_ts === parent.ts && m.user === 'UBOT')
    expect(notice?.text).toContain(`out of office until the end of ${longDay(end)}`)
    expect(fake.messages.indexOf(notice!)).toBeLessThan(
      fake.messages.findIndex((m) => m.channel === SUPPORT),
    )
    expect(fake.reactions).toContainEqual({ channel: GENERAL, timestamp: reply.ts, name: 'sos' })
  })

  test('a private channel is swept once the bot is invited, not before, and no longer once it is removed', async () => {
    s = await startSweeping([{ id: 'GOPS', name: 'ops', is_private: true, members: ['U1', 'U2'] }])
    const { fake } = s
    // The person whose token searches sees the channel; the bot is not in it, so leaves it alone.
    const before = fake.say({ user: 'U1', channel: 'GOPS', text: 'tech-support, the disk is full' })
    await moreSweeps(s)
    expect(reposts(s)).toEqual([])
    expect(
      (
        fake.callsOf('search.messages').at(-1)!.response as {
          messages: { matches: { ts: string }[] }
        }
      ).messages.matches.map((m) => m.ts),
    ).toContain(before.ts)

    await fake.sendEvent(fake.botInvited('GOPS')).acked
    await fake.waitFor(
      (f) => f.messages.some((m) => m.channel === SUPPORT),
      5000,
      'the repost after the invitation',
    )
    expect(reposts(s)).toEqual([permalink('GOPS', before.ts)])
    expect(fake.reactions).toEqual([{ channel: 'GOPS', timestamp: before.ts, name: 'sos' }])

    await fake.sendEvent({ type: 'group_left', channel: 'GOPS', actor_id: 'U1', event_ts: '1.1' })
      .acked
    await moreSweeps(s, 1) // a sweep that starts after the event was handled
    fake.say({ user: 'U2', channel: 'GOPS', text: 'tech-support, still full' })
    await moreSweeps(s)
    expect(reposts(s)).toEqual([permalink('GOPS', before.ts)])
  })

  test('a refused user token is reported once, without the token, and retried', async () => {
    s = await startSweeping()
    const { fake } = s
    fake.failNext('search.messages', { error: 'invalid_auth' }, 4)
    await fake.waitFor(
      (f) => f.callsOf('search.messages').length >= 6,
      5000,
      'searches after the failures',
    )
    const warnings = s.bot.out.stderr
      .split('\n')
      .filter((l) => l.includes('event=slack.sweep_failed') && l.includes('level=warn'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('error=invalid_auth')
    await fake.waitFor(
      () => s!.bot.out.stderr.includes('event=slack.sweep_recovered'),
      5000,
      'the recovery line',
    )
  })
})
