// Fuzzing the Slack door: 10,000 envelopes, valid ones mutated at random (fields dropped, given the
// wrong type, prototype keys, hostile text), sent over the real Socket Mode protocol to a real
// `ebmbot serve`. Every one is acknowledged, none raises an unhandled error, and the bot still
// runs a real command afterwards.
import { afterAll, expect, test } from 'bun:test'
import { SOAK, seededRandom } from './support/fault-config.ts'
import { GENERAL, startSlackBot } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

const ENVELOPES = Number(process.env.FUZZ_N) || (SOAK ? 50_000 : 10_000)

const JUNK: unknown[] = [
  null,
  0,
  -1,
  1e308,
  Number.NaN,
  true,
  '',
  ' ',
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  [],
  [null],
  {},
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"x": 1}, "constructor": {"prototype": {}}}'),
  'x'.repeat(5000),
  '<!channel> &amp; &lt;b&gt;',
  '\u0000\u202e\ud800',
]
const WORDS = [
  'demo',
  'op',
  'hello',
  'deploy',
  'status',
  'help',
  'history',
  'logs',
  'rerun',
  'cancel',
  'approve',
  'yes',
  'run',
  'toString',
  'constructor',
  '__proto__',
  'valueOf',
  'hasOwnProperty',
  'page',
  '1',
  '99999999999999999999',
  '-1',
  '>',
  '&gt;',
  '&amp;',
  '<@UBOT>',
  '<!here>',
  '<https://x.org?a=1&amp;b=2|label>',
  'Reminder:',
  '`',
  '$(id)',
  'out-of-office',
]

test(`${ENVELOPES} fuzzed Slack envelopes: all acknowledged, no unhandled error, the bot still answers`, async () => {
  const sb = await startSlackBot({ env: { EBMBOT_LOG_LEVEL: 'info' } })
  try {
    const { fake } = sb
    const rnd = seededRandom('fuzz-slack-envelopes')
    const pick = <T>(xs: readonly T[]): T => xs[rnd.int(0, xs.length - 1)]!
    const text = () =>
      Array.from({ length: rnd.int(0, 6) }, () => pick(WORDS)).join(pick([' ', '  ', '\n', '\n> ']))
    const user = () => pick(['U1', 'U2', 'UGUEST', 'USLACKBOT', 'UNOBODY'])
    const channel = () => pick([GENERAL, 'CLOGS', 'D1', 'G1', 'C404'])
    const bases: (() => Record<string, unknown>)[] = [
      () => ({ ...fake.mention({ user: user(), channel: channel(), text: text() }) }),
      () => ({ ...fake.dm({ user: user(), text: text() }) }),
      () => ({ ...fake.channelMessage({ user: user(), channel: channel(), text: text() }) }),
      () => ({
        type: 'message',
        subtype: 'message_changed',
        channel: channel(),
        message: { ...fake.mention({ user: user(), channel: GENERAL, text: text() }) },
      }),
      () => ({ ...fake.channelCreated({ id: 'CNEW', name: 'new' }) }),
      () => ({ ...fake.channelRenamed(GENERAL, 'renamed') }),
      () => ({ ...fake.channelArchived(GENERAL) }),
      () => ({ ...fake.botInvited(GENERAL) }),
      () => ({ type: pick(['reaction_added', 'team_join', 'toString', '__proto__', '']) }),
    ]
    // Sets, deletes or replaces a random field at a random depth.
    const mutate = (o: Record<string, unknown>, depth = 0): void => {
      const keys = Object.keys(o)
      const k =
        rnd.next() < 0.2 || !keys.length
          ? pick(['__proto__', 'constructor', 'text', 'user', 'ts', 'channel', 'thread_ts'])
          : pick(keys)
      // Own fields only: `o.__proto__` read through the prototype is the test's own Object.prototype.
      const v = Object.hasOwn(o, k) ? o[k] : undefined
      if (v && typeof v === 'object' && !Array.isArray(v) && depth < 3 && rnd.next() < 0.5)
        mutate(v as Record<string, unknown>, depth + 1)
      else if (rnd.next() < 0.3) delete o[k]
      else
        Object.defineProperty(o, k, {
          value: structuredClone(pick(JUNK)),
          enumerable: true,
          configurable: true,
          writable: true,
        })
    }
    let sent = 0
    let interactive = 0
    while (sent < ENVELOPES) {
      const batch = []
      for (let i = 0; i < 200 && sent < ENVELOPES; i++, sent++) {
        if (rnd.next() < 0.1) {
          const payload = fake.blockAction({
            user: user(),
            channel: channel(),
            message_ts: '1.1',
            action_id: pick(['rerun', 'logs', 'cancel', 'approve', 'deny', 'toString']),
            value: pick(['1', '0', '-1', 'x', '__proto__']),
          })
          for (let m = rnd.int(0, 3); m > 0; m--) mutate(payload)
          batch.push(fake.sendRaw('interactive', payload).acked)
          interactive++
          continue
        }
        const event = pick(bases)()
        for (let m = rnd.int(0, 3); m > 0; m--) mutate(event)
        const payload: Record<string, unknown> = {
          type: 'event_callback',
          event_id: `EvFuzz${sent}`,
          event,
        }
        // The SDK itself reads `payload.event.type` before any code of ours: the event stays an object.
        if (rnd.next() < 0.05) payload.event_id = pick(JUNK)
        batch.push(fake.sendRaw('events_api', payload).acked)
      }
      const late = await Promise.race([
        Promise.all(batch).then(() => null),
        Bun.sleep(20_000).then(() => 'late'),
      ])
      if (late) {
        const unacked = fake.deliveries.filter((d) => d.ackedAt === undefined)
        throw new Error(
          `${unacked.length} envelopes unacknowledged after 20 s, e.g. ${JSON.stringify(unacked.slice(0, 3).map((d) => d.envelope)).slice(0, 3000)}\n${sb.bot.out.stderr.slice(-3000)}`,
        )
      }
    }
    const stderr = sb.bot.out.stderr
    const failures = stderr.split('\n').filter((l) => /event=slack\.(event|command)_failed/.test(l))
    console.log(
      `fuzz-slack-envelopes: ${sent} envelopes (${interactive} interactive), ${failures.length} unhandled errors`,
    )
    expect(failures.slice(0, 5)).toEqual([])
    expect(sb.bot.proc.exitCode).toBeNull()
    // Still serving: a real command runs and its report arrives.
    fake.sendEvent(fake.dm({ user: 'U1', text: 'demo hello afterwards' }))
    await waitUntil(
      'the report after the fuzz',
      () => fake.messages.some((m) => m.text?.includes('Hello, afterwards!')),
      30_000,
    ).catch((e) => {
      console.log(sb.bot.out.stderr.slice(-4000))
      throw e
    })
  } finally {
    await sb.stop()
    await sb.fake.stop()
  }
}, 240_000)
