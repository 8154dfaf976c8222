// `ebmbot slack manifest` and the lists it is built from, checked against the code: every Web API
// method the source calls has its scopes in the manifest, every event the code handles is
// subscribed (and every subscribed one is handled), and a real bot against the fake Slack calls
// nothing outside the list.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SlackEvent } from '@slack/types'
import { loadConfigText } from '../src/config/load.ts'
import { BOT_EVENTS, BOT_METHODS, SLASH_COMMAND, USER_METHODS } from '../src/slack/app-needs.ts'
import { planEvent } from '../src/slack/events.ts'
import { botScopes } from '../src/slack/manifest.ts'
import { botEnv, runBot } from './support/bot.ts'
import { GENERAL, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { cleanupTemp, EXAMPLE_CONFIG, REPO, tempDir, writeConfig } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

afterAll(cleanupTemp)

/** Every .ts file under src, as text. */
function sources(dir = join(REPO, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  )
}
const code = sources()
  .join('\n')
  // Comments mention methods too; only calls count.
  .replace(/^\s*(\/\/|\*).*$/gm, '')

/**
 * Web API methods the source calls on a WebClient (named web, fast, patient, search or client):
 * `web.chat.postMessage(`, `this.opts.web.usergroups.users.list(`, `paginate('conversations.list'`.
 */
function calledMethods(): Set<string> {
  const out = new Set<string>()
  const families = 'auth|chat|conversations|reactions|users|usergroups|files|search|views|apps'
  const call = new RegExp(
    `\\b(?:web|fast|patient|search|client)\\.((?:${families})(?:\\.[a-zA-Z]+)+)\\(`,
    'g',
  )
  for (const m of code.matchAll(call)) out.add(m[1]!)
  for (const m of code.matchAll(/paginate\('([\w.]+)'/g)) out.add(m[1]!)
  // The SDK's filesUploadV2 calls these two.
  if (code.includes('filesUploadV2(')) {
    out.add('files.getUploadURLExternal')
    out.add('files.completeUploadExternal')
  }
  return out
}

async function manifestOf(args: string[], env: Record<string, string> = {}) {
  const r = await runBot(['slack', 'manifest', ...args], { env: botEnv(tempDir(), env) })
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

describe('ebmbot slack manifest', () => {
  test('prints a socket-mode manifest with the events, scopes, interactivity and DMs the bot uses', async () => {
    const m = await manifestOf(['--config', EXAMPLE_CONFIG], { SLACK_APP_USERNAME: 'opsbot' })
    expect(m.settings.socket_mode_enabled).toBe(true)
    expect(m.settings.interactivity).toEqual({ is_enabled: true })
    expect(m.settings.event_subscriptions.bot_events).toEqual(Object.keys(BOT_EVENTS))
    expect(m.features.app_home.messages_tab_enabled).toBe(true)
    expect(m.features.app_home.messages_tab_read_only_enabled).toBe(false)
    expect(m.features.bot_user.display_name).toBe('opsbot')
    expect(m.oauth_config.scopes.bot).toContain('chat:write')
    expect(m.oauth_config.scopes.bot).toContain('app_mentions:read')
    // The slash command the listener answers (test/slack-slash-command.test.ts), with its scope.
    expect(m.features.slash_commands).toEqual([
      {
        command: '/ebmbot',
        description: SLASH_COMMAND.description,
        usage_hint: SLASH_COMMAND.usage_hint,
        should_escape: false,
      },
    ])
    expect(m.oauth_config.scopes.bot).toContain('commands')
  })

  test('usergroups:read is asked for only when access rules or approvers name a user group', async () => {
    const plain = await manifestOf(['--config', EXAMPLE_CONFIG])
    expect(plain.oauth_config.scopes.bot).not.toContain('usergroups:read')
    const dir = tempDir()
    const file = writeConfig(
      dir,
      'namespaces:\n  op:\n    allow: {groups: [S0123]}\n    jobs: {deploy: {run: "true"}}\n',
    )
    const grouped = await manifestOf(['--config', file])
    expect(grouped.oauth_config.scopes.bot).toContain('usergroups:read')
  })
})

describe('the lists match the code', () => {
  test('every Web API method the source calls is listed, and every listed one is called', () => {
    const called = calledMethods()
    const listed = new Set([...Object.keys(BOT_METHODS), ...Object.keys(USER_METHODS)])
    expect([...called].filter((m) => !listed.has(m)).sort()).toEqual([])
    expect([...listed].filter((m) => !called.has(m)).sort()).toEqual([])
  })

  test('every scope a listed method needs is in the manifest for a config that uses it all', () => {
    const config = loadConfigText(
      'namespaces:\n  op:\n    allow: {groups: [S1]}\n    jobs: {deploy: {run: "true"}}\n',
      'test.yaml',
      { stateDir: tempDir() },
    )
    const scopes = new Set(botScopes(config))
    const needed = [...Object.values(BOT_METHODS), ...Object.values(BOT_EVENTS)].flat()
    expect(needed.filter((s) => !scopes.has(s))).toEqual([])
  })

  test('every event type the code handles is subscribed to', () => {
    const handled = new Set<string>(['app_mention', 'message'])
    const directory = readFileSync(join(REPO, 'src/slack/channel-directory.ts'), 'utf8')
    // The cases of channelChange's switch on event.type (later switches are on change kinds).
    const start = directory.indexOf('export function channelChange')
    const body = directory.slice(start, directory.indexOf('\n}\n', start))
    expect(body).toContain('switch (event.type)')
    for (const m of body.matchAll(/case '(\w+)':/g)) handled.add(m[1]!)
    // Subscriptions name message events by where they happen: message.channels is type message.
    const subscribed = new Set(Object.keys(BOT_EVENTS).map((e) => e.split('.')[0]!))
    expect([...handled].filter((e) => !subscribed.has(e)).sort()).toEqual([])
  })

  test('every subscribed event is one the bot acts on (none it would call "not handled")', () => {
    const ctx = { botUserId: 'UBOT', routes: [] }
    const unhandled = Object.keys(BOT_EVENTS).filter((name) => {
      const type = name.split('.')[0]!
      const event = {
        type,
        channel:
          type.startsWith('channel_') || type.startsWith('group_') ? { id: 'C1', name: 'x' } : 'C1',
        user: 'UBOT',
        text: 'hi',
        ts: '1.1',
      } as unknown as SlackEvent
      const plan = planEvent(event, ctx)
      return plan.kind === 'ignore' && plan.reason.endsWith('is not handled')
    })
    expect(unhandled).toEqual([])
  })
})

describe('a running bot stays inside the list', () => {
  let s: SlackBot | undefined
  afterEach(async () => {
    await stopSlackBot(s)
    s = undefined
  }, HOOK_TIMEOUT)

  test('the Web API methods a bot calls while starting, running and reporting jobs are all listed', async () => {
    s = await startSlackBot()
    for (const text of ['demo hello there', 'demo long', 'demo fail']) {
      const e = s.fake.mention({ user: 'U1', channel: GENERAL, text })
      await s.fake.sendEvent(e).acked
      await s.fake.waitFor(
        (f) =>
          f.messages.some((m) => m.thread_ts === e.ts && m.user === f.botUserId) ||
          f.files.length > 0,
        10_000,
        `the report of ${text}`,
      )
    }
    const listed = new Set([...Object.keys(BOT_METHODS), ...Object.keys(USER_METHODS)])
    const called = new Set(s.fake.calls.map((c) => c.method))
    expect(called.has('chat.postMessage')).toBe(true)
    expect([...called].filter((m) => !listed.has(m) && m !== 'apps.connections.open')).toEqual([])
  })
})
