// A fake Slack on loopback speaking the Web API and Socket Mode protocols, for the real @slack clients.
import { randomUUID } from 'node:crypto'
import { FakeOidc } from './fake-slack-oidc.ts'
import type { Server, ServerWebSocket } from 'bun'
import type {
  AppMentionEvent,
  ChannelArchiveEvent,
  ChannelCreatedEvent,
  ChannelIDChangedEvent,
  ChannelRenameEvent,
  ChannelUnarchiveEvent,
  GenericMessageEvent,
  GroupArchiveEvent,
  GroupRenameEvent,
  GroupUnarchiveEvent,
  MemberJoinedChannelEvent,
  SlackEvent,
} from '@slack/types'
import type {
  AppsConnectionsOpenResponse,
  AuthTestResponse,
  ChatGetPermalinkResponse,
  ConversationsInfoResponse,
  ConversationsListResponse,
  ConversationsMembersResponse,
  FilesGetUploadURLExternalResponse,
  SearchMessagesResponse,
  UsersInfoResponse,
} from '@slack/web-api'

export interface FakeSlackOptions {
  botToken?: string
  appToken?: string
  /** A person's token (`xoxp-`): the only one search.* accepts, and it is accepted nowhere else. */
  userToken?: string
  botUserId?: string
  botId?: string
  botName?: string
  teamId?: string
  appId?: string
  /** Slack redelivers an unacknowledged event after about 3 s. */
  ackTimeoutMs?: number
  /** Redeliver unacknowledged events (retry_attempt 1..3) like Slack does. Also settable later. */
  redeliver?: boolean
  users?: Record<string, FakeUser>
  channels?: FakeChannel[]
}

export interface FakeUser {
  name?: string
  real_name?: string
  is_bot?: boolean
  is_restricted?: boolean
  is_ultra_restricted?: boolean
  deleted?: boolean
}

export interface FakeChannel {
  id: string
  name: string
  is_private?: boolean
  is_im?: boolean
  is_mpim?: boolean
  is_archived?: boolean
  is_member?: boolean
  members?: string[]
}

/** One Web API request. `status`/`response` are filled in once the fake has answered. */
export interface ApiCall {
  method: string
  /** The body as the client meant it: form fields, with JSON-encoded ones (blocks, files…) decoded. */
  args: Record<string, unknown>
  token?: string
  at: number
  status?: number
  response?: unknown
}

export interface FakeMessage {
  channel: string
  ts: string
  thread_ts?: string
  text?: string
  blocks?: unknown[]
  user: string
  /** How many times chat.update changed it. */
  edits: number
  args: Record<string, unknown>
}

export interface FakeFile {
  id: string
  filename: string
  title?: string
  channel_id?: string
  thread_ts?: string
  initial_comment?: string
  content: string
  length: number
}

/** A message people (or bots) posted, as search.messages finds it. */
export interface FakePosted {
  channel: string
  ts: string
  user: string
  text: string
  thread_ts?: string
  bot_id?: string
}

export interface FakeReaction {
  channel: string
  timestamp: string
  name: string
}

/** What the next matching call gets instead of a normal answer. */
export interface Fault {
  /** HTTP status; 429 gets a Retry-After header. */
  status?: number
  /** Seconds for Retry-After (429 only); default 1. */
  retryAfter?: number
  /** A Slack error code, answered as HTTP 200 `{ok:false,error}` unless `status` says otherwise. */
  error?: string
  /** Only calls whose arguments pass this get the fault; others are answered normally. */
  when?: (args: Record<string, unknown>) => boolean
}

export interface Delivery {
  envelopeId: string
  type: 'events_api' | 'interactive' | 'slash_commands'
  eventId?: string
  retryAttempt: number
  connectionId: number
  sentAt: number
  /** performance.now() at the send: acks are timed to the microsecond (Date.now() is whole ms) */
  sentPerf: number
  ackedAt?: number
  envelope: Record<string, unknown>
  /** the envelope this one retries, when the fake redelivered it on its own */
  retryOf?: string
}

export interface Ack {
  envelopeId: string
  payload: unknown
  connectionId: number
  at: number
}

export interface Sent {
  envelopeId: string
  eventId?: string
  /** Resolves with the ms (fractional) between sending this envelope and its ack (or the ack of the fake's retry of it); never rejects. */
  acked: Promise<number>
}

export interface SendEventOptions {
  /** Reuse an event id to simulate a redelivery. */
  eventId?: string
  retryAttempt?: number
  retryReason?: string
  /** Deliver on this connection instead of the newest one. */
  connectionId?: number
}

interface Connection {
  id: number
  openedAt: number
}

type Args = Record<string, unknown>

/** What the event builders need; ts defaults to a fresh unique timestamp. */
export interface MessageSpec {
  user: string
  channel: string
  text: string
  ts?: string
  thread_ts?: string
}

export interface BlockActionSpec {
  user: string
  channel: string
  message_ts: string
  action_id: string
  value?: string
  block_id?: string
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>
type Handler = (args: Args) => object

// Fields web-api JSON-encodes inside form bodies (WebClient.serializeBody); everything else stays a string.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata', 'view'])
const MAX_BLOCKS = 50
const MAX_TEXT = 40_000
const MAX_RETRIES = 3
const DEBUG_HOST = 'applink-fake-1'

/** Starts a fake Slack on 127.0.0.1 with a random port. */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(opts)
}

export class FakeSlack {
  readonly botToken: string
  readonly appToken: string
  readonly userToken: string | undefined
  readonly botUserId: string
  readonly botId: string
  readonly teamId: string
  readonly appId: string
  ackTimeoutMs: number
  redeliver: boolean

  readonly calls: ApiCall[] = []
  readonly messages: FakeMessage[] = []
  readonly files: FakeFile[] = []
  readonly reactions: FakeReaction[] = []
  /** modals the bot opened (views.open), with the trigger id they answered */
  readonly views: { id: string; triggerId: string; view: Record<string, unknown> }[] = []
  /** messages only one person sees (chat.postEphemeral) */
  readonly ephemeral: { channel: string; user: string; text: string }[] = []
  /** What people said (see `say`), which search.messages searches besides the bot's own posts. */
  readonly posted: FakePosted[] = []
  readonly deliveries: Delivery[] = []
  readonly acks: Ack[] = []
  readonly users = new Map<string, FakeUser>()
  /** user group id -> member user ids, for usergroups.users.list */
  readonly usergroups = new Map<string, string[]>()
  /** Sign in with Slack: the authorize page and the openid.connect.* methods */
  readonly oidc: FakeOidc
  readonly channels: FakeChannel[]
  /** How many WebSocket connections were ever opened (open or not). */
  connectionsOpened = 0

  private readonly server: Server<Connection>
  private readonly sockets = new Map<number, ServerWebSocket<Connection>>()
  private readonly tickets = new Set<string>()
  private readonly faults = new Map<string, Fault[]>()
  private readonly delays = new Map<string, number>()
  private readonly uploads = new Map<string, { filename: string; bytes?: Uint8Array }>()
  private readonly ackWaiters = new Map<string, (ms: number) => void>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly botName: string
  private seq = 0
  private connSeq = 0

  constructor(opts: FakeSlackOptions) {
    this.botToken = opts.botToken ?? 'xoxb-test'
    this.appToken = opts.appToken ?? 'xapp-test'
    this.userToken = opts.userToken
    this.botUserId = opts.botUserId ?? 'UBOT'
    this.botId = opts.botId ?? 'BBOT'
    this.botName = opts.botName ?? 'ebmbot'
    this.teamId = opts.teamId ?? 'T0FAKE'
    this.appId = opts.appId ?? 'A1'
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 3000
    this.redeliver = opts.redeliver ?? true
    this.channels = opts.channels ? opts.channels.map((c) => ({ ...c })) : []
    this.oidc = new FakeOidc(this.teamId)
    this.users.set(this.botUserId, { name: this.botName, is_bot: true })
    for (const [id, user] of Object.entries(opts.users ?? {})) this.users.set(id, user)

    this.server = Bun.serve<Connection>({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req, server) => this.route(req, server),
      websocket: {
        open: (ws) => this.onOpen(ws),
        message: (ws, data) => this.onMessage(ws, data),
        close: (ws) => void this.sockets.delete(ws.data.id),
      },
    })
  }

  get origin(): string {
    return `http://127.0.0.1:${this.server.port}`
  }

  /** Base URL for `slackApiUrl`; the SDK appends the method name. */
  get apiUrl(): string {
    return `${this.origin}/api/`
  }

  get connectionCount(): number {
    return this.sockets.size
  }

  /** The open Socket Mode connections' ids, oldest first (for `sendEvent`'s `connectionId`). */
  get connectionIds(): number[] {
    return [...this.sockets.keys()].sort((a, b) => a - b)
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method)
  }

  /** Make the next `count` calls of `method` fail as described. */
  failNext(method: string, fault: Fault, count = 1): void {
    const queue = this.faults.get(method) ?? []
    for (let i = 0; i < count; i++) queue.push(fault)
    this.faults.set(method, queue)
  }

  private takeFault(method: string, args: Args): Fault | undefined {
    const queue = this.faults.get(method)
    const i = queue?.findIndex((f) => !f.when || f.when(args)) ?? -1
    return i >= 0 ? queue!.splice(i, 1)[0] : undefined
  }

  /** Answer every call of `method` after `ms` (0 removes the delay). */
  delay(method: string, ms: number): void {
    if (ms > 0) this.delays.set(method, ms)
    else this.delays.delete(method)
  }

  /** Poll until `predicate(this)` is truthy and return its value; on timeout throw with recent traffic. */
  async waitFor<T>(
    predicate: (fake: FakeSlack) => T,
    timeoutMs = 5000,
    what = 'condition',
  ): Promise<Truthy<T>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = predicate(this)
      if (value) return value as Truthy<T>
      if (Date.now() >= deadline) {
        throw new Error(
          `fake Slack: timed out after ${timeoutMs} ms waiting for ${what}\n${this.dump()}`,
        )
      }
      await Bun.sleep(10)
    }
  }

  /** Wait until at least `n` Socket Mode connections are open. */
  async waitForConnection(n = 1, timeoutMs = 5000): Promise<number> {
    const enough = (f: FakeSlack) => f.connectionCount >= n && f.connectionCount
    return this.waitFor(enough, timeoutMs, `${n} open connection(s)`)
  }

  /** Deliver an Events API envelope; unacked ones are redelivered while `redeliver` is on. */
  sendEvent(event: SlackEvent | Record<string, unknown>, opts: SendEventOptions = {}): Sent {
    const eventId = opts.eventId ?? `Ev${this.nextId()}`
    const payload = {
      token: 'fake-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.teamId,
          user_id: this.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${String(event.type)}-${this.teamId}`,
    }
    const attempt = opts.retryAttempt ?? 0
    return this.deliver('events_api', payload, { ...opts, eventId, retryAttempt: attempt })
  }

  /** Deliver any payload as an envelope of this type, however malformed (for fuzzing the door). */
  sendRaw(type: Delivery['type'], payload: Record<string, unknown>): Sent {
    const eventId = typeof payload.event_id === 'string' ? payload.event_id : undefined
    return this.deliver(type, payload, { eventId, retryAttempt: MAX_RETRIES })
  }

  /** Deliver an interactive envelope (block_actions…). Slack never retries these: the user sees an error. */
  sendInteractive(
    payload: Record<string, unknown>,
    opts: Pick<SendEventOptions, 'connectionId'> = {},
  ): Sent {
    return this.deliver('interactive', payload, { ...opts, retryAttempt: 0 })
  }

  /**
   * Someone types a slash command (`/ebmbot demo hello`): a `slash_commands` envelope that accepts
   * a response payload, as Slack sends it in socket mode. Slack does not retry these.
   */
  sendSlashCommand(
    c: { user: string; channel: string; text: string; command?: string },
    opts: Pick<SendEventOptions, 'connectionId'> = {},
  ): Sent {
    const channel = this.findChannel(c.channel)
    const payload = {
      token: 'fake-verification-token',
      team_id: this.teamId,
      team_domain: 'fake',
      channel_id: c.channel,
      channel_name: channel?.name ?? (c.channel.startsWith('D') ? 'directmessage' : 'unknown'),
      user_id: c.user,
      user_name: c.user.toLowerCase(),
      command: c.command ?? '/ebmbot',
      text: c.text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: `https://hooks.slack.invalid/commands/${this.teamId}/${this.nextId()}`,
      trigger_id: `${this.nextId()}.${this.teamId}`,
    }
    return this.deliver('slash_commands', payload, { ...opts, retryAttempt: 0 })
  }

  /**
   * Someone fills in and submits a modal the bot opened: a `view_submission` interactive
   * envelope with each input block's value (`value` for a text input, the option for a select).
   */
  submitView(
    opened: { id: string; view: Record<string, unknown> },
    user: string,
    values: Record<string, string>,
  ): Sent {
    const blocks = (opened.view.blocks ?? []) as {
      type: string
      block_id?: string
      element?: { type: string; action_id: string }
    }[]
    const state: Record<string, Record<string, unknown>> = {}
    for (const b of blocks) {
      if (b.type !== 'input' || !b.block_id || !b.element) continue
      const v = values[b.block_id]
      if (v === undefined) continue
      state[b.block_id] = {
        [b.element.action_id]:
          b.element.type === 'static_select'
            ? {
                type: 'static_select',
                selected_option: { text: { type: 'plain_text', text: v }, value: v },
              }
            : { type: 'plain_text_input', value: v },
      }
    }
    return this.deliver(
      'interactive',
      {
        type: 'view_submission',
        team: { id: this.teamId },
        user: { id: user },
        api_app_id: this.appId,
        trigger_id: `${this.nextId()}.${this.teamId}`,
        view: { ...opened.view, id: opened.id, state: { values: state } },
      },
      { retryAttempt: 0 },
    )
  }

  /** The response payload the bot acked an envelope with (a slash command's private answer). */
  ackPayloadOf(envelopeId: string): unknown {
    return this.acks.find((a) => a.envelopeId === envelopeId)?.payload
  }

  /** An app_mention event; the text gets a leading `<@bot>` unless it already mentions the bot. */
  mention(m: MessageSpec): AppMentionEvent {
    const text = m.text.includes(`<@${this.botUserId}>`) ? m.text : `<@${this.botUserId}> ${m.text}`
    const { user, channel, ts, event_ts, team, client_msg_id, thread_ts } = this.message(
      { ...m, text },
      'channel',
    )
    return {
      type: 'app_mention',
      user,
      text,
      ts,
      channel,
      event_ts,
      team,
      client_msg_id,
      thread_ts,
    }
  }

  /** A direct message to the bot; the channel defaults to a D-id derived from the user. */
  dm(m: Omit<MessageSpec, 'channel'> & { channel?: string }): GenericMessageEvent {
    return this.message({ ...m, channel: m.channel ?? `D${m.user.replace(/^U/, '')}` }, 'im')
  }

  /** A plain message in a public channel (not a mention). */
  channelMessage(m: MessageSpec): GenericMessageEvent {
    return this.message(m, 'channel')
  }

  /**
   * Someone posts a message now: it is kept for search.messages (with a current ts, as search
   * filters by date) and returned as the event Slack would send, which a test may deliver or,
   * to play a missed event, not. A D-channel makes it a DM.
   */
  say(m: MessageSpec & { bot_id?: string }): GenericMessageEvent {
    const ts = m.ts ?? this.nowTs()
    this.posted.push({
      channel: m.channel,
      ts,
      user: m.user,
      text: m.text,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.bot_id ? { bot_id: m.bot_id } : {}),
    })
    const event = this.message({ ...m, ts }, m.channel.startsWith('D') ? 'im' : 'channel')
    return m.bot_id ? ({ ...event, bot_id: m.bot_id } as GenericMessageEvent) : event
  }

  /** A channel_created event; the channel is also added to `channels` so conversations.* know it. */
  channelCreated(c: { id: string; name: string; creator?: string }): ChannelCreatedEvent {
    const created = Math.floor(Date.now() / 1000)
    if (!this.findChannel(c.id)) this.channels.push({ id: c.id, name: c.name })
    const channel = {
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      created,
      creator: c.creator ?? 'UCREATOR',
      context_team_id: this.teamId,
      is_channel: true,
      is_general: false,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: false,
      is_archived: false,
      is_frozen: false,
      is_shared: false,
      is_org_shared: false,
      is_ext_shared: false,
      is_pending_ext_shared: false,
    }
    return { type: 'channel_created', channel, event_ts: this.nextTs() }
  }

  /** A channel_rename (group_rename for a private channel) event; the fake's channel takes the name. */
  channelRenamed(id: string, name: string): ChannelRenameEvent | GroupRenameEvent {
    const c = this.findChannel(id)
    if (!c) throw new Error(`fake Slack: no channel ${id} to rename`)
    c.name = name
    const channel = {
      id,
      name,
      name_normalized: name,
      created: Math.floor(Date.now() / 1000),
      is_channel: !c.is_private,
      is_mpim: false,
    }
    return c.is_private
      ? { type: 'group_rename', channel, event_ts: this.nextTs() }
      : { type: 'channel_rename', channel, event_ts: this.nextTs() }
  }

  /** Someone archives a channel (group_archive for a private one); the fake's channel is archived. */
  channelArchived(id: string, user = 'UARCHIVER'): ChannelArchiveEvent | GroupArchiveEvent {
    const c = this.findChannel(id)
    if (!c) throw new Error(`fake Slack: no channel ${id} to archive`)
    c.is_archived = true
    return c.is_private
      ? { type: 'group_archive', channel: id, user, is_moved: 0, event_ts: this.nextTs() }
      : { type: 'channel_archive', channel: id, user, event_ts: this.nextTs() }
  }

  /** Someone brings a channel back from the archive; members stay as they were. */
  channelUnarchived(id: string, user = 'UARCHIVER'): ChannelUnarchiveEvent | GroupUnarchiveEvent {
    const c = this.findChannel(id)
    if (!c) throw new Error(`fake Slack: no channel ${id} to unarchive`)
    c.is_archived = false
    return c.is_private
      ? { type: 'group_unarchive', channel: id, actor_id: user, event_ts: this.nextTs() }
      : { type: 'channel_unarchive', channel: id, user, event_ts: this.nextTs() }
  }

  /** Slack gives a channel a new id (a workspace migration): the fake's channel answers to it from now on. */
  channelIdChanged(oldId: string, newId: string): ChannelIDChangedEvent {
    const c = this.findChannel(oldId)
    if (!c) throw new Error(`fake Slack: no channel ${oldId} to move`)
    c.id = newId
    return {
      type: 'channel_id_changed',
      old_channel_id: oldId,
      new_channel_id: newId,
      event_ts: this.nextTs(),
    }
  }

  /** Someone adds the bot to a channel: it becomes a member, and Slack says so with member_joined_channel. */
  botInvited(id: string, inviter = 'UINVITER'): MemberJoinedChannelEvent {
    const c = this.findChannel(id)
    if (!c) throw new Error(`fake Slack: no channel ${id} to invite the bot to`)
    c.is_member = true
    c.members = [...new Set([...(c.members ?? []), this.botUserId])]
    return {
      type: 'member_joined_channel',
      user: this.botUserId,
      channel: id,
      channel_type: c.is_private ? 'G' : 'C',
      team: this.teamId,
      inviter,
      event_ts: this.nextTs(),
    }
  }

  /** A block_actions payload for sendInteractive: a button click on a bot message. */
  blockAction(a: BlockActionSpec): Record<string, unknown> {
    return {
      type: 'block_actions',
      user: { id: a.user, username: this.users.get(a.user)?.name ?? a.user, team_id: this.teamId },
      api_app_id: this.appId,
      token: 'fake-verification-token',
      container: {
        type: 'message',
        message_ts: a.message_ts,
        channel_id: a.channel,
        is_ephemeral: false,
      },
      trigger_id: `${this.nextId()}.fake`,
      team: { id: this.teamId, domain: 'fake' },
      channel: { id: a.channel, name: this.findChannel(a.channel)?.name ?? a.channel },
      message: this.findMessage(a.channel, a.message_ts) ?? { ts: a.message_ts },
      response_url: `${this.origin}/response/${this.nextId()}`,
      actions: [
        {
          type: 'button',
          action_id: a.action_id,
          block_id: a.block_id ?? 'fake-block',
          value: a.value,
          action_ts: this.nextTs(),
        },
      ],
    }
  }

  /** Close every socket without a close frame, like a network drop. */
  dropSockets(): void {
    for (const ws of this.sockets.values()) ws.terminate()
    this.sockets.clear()
  }

  /** Ask every open connection to reconnect, as Slack does before recycling a server. */
  sendDisconnect(reason = 'refresh_requested'): void {
    const msg = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: DEBUG_HOST } })
    for (const ws of this.sockets.values()) ws.send(msg)
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.dropSockets()
    await this.server.stop(true)
  }

  // --- Socket Mode ---------------------------------------------------------------------------

  private onOpen(ws: ServerWebSocket<Connection>): void {
    this.sockets.set(ws.data.id, ws)
    this.connectionsOpened++
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: DEBUG_HOST, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    )
  }

  private onMessage(ws: ServerWebSocket<Connection>, data: string | Buffer): void {
    let msg: { envelope_id?: string; payload?: unknown }
    try {
      msg = JSON.parse(String(data))
    } catch {
      return // Slack ignores garbage from clients too
    }
    if (!msg.envelope_id) return
    const at = Date.now()
    const perf = performance.now()
    this.acks.push({
      envelopeId: msg.envelope_id,
      payload: msg.payload,
      connectionId: ws.data.id,
      at,
    })
    const delivery = this.deliveries.find((d) => d.envelopeId === msg.envelope_id)
    if (delivery && delivery.ackedAt === undefined) delivery.ackedAt = at
    this.ackWaiters.get(msg.envelope_id)?.(delivery ? perf - delivery.sentPerf : 0)
    this.ackWaiters.delete(msg.envelope_id)
    // An ack of the fake's own retry settles the deliveries it retried, as on Slack: whoever awaits
    // the first delivery's ack learns the event got through.
    for (let d = delivery; d?.retryOf; ) {
      const prev = this.deliveries.find((x) => x.envelopeId === d!.retryOf)
      if (prev) {
        this.ackWaiters.get(prev.envelopeId)?.(perf - prev.sentPerf)
        this.ackWaiters.delete(prev.envelopeId)
      }
      d = prev
    }
  }

  private deliver(
    type: Delivery['type'],
    payload: Record<string, unknown>,
    opts: SendEventOptions & { retryAttempt: number; retryOf?: string },
  ): Sent {
    const ws = this.pickSocket(opts.connectionId)
    const envelopeId = randomUUID()
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: type === 'slash_commands',
    }
    if (type === 'events_api') {
      envelope.retry_attempt = opts.retryAttempt
      envelope.retry_reason = opts.retryReason ?? (opts.retryAttempt > 0 ? 'timeout' : '')
    }
    const delivery: Delivery = {
      envelopeId,
      type,
      eventId: opts.eventId,
      retryAttempt: opts.retryAttempt,
      connectionId: ws.data.id,
      sentAt: Date.now(),
      sentPerf: performance.now(),
      envelope,
      ...(opts.retryOf ? { retryOf: opts.retryOf } : {}),
    }
    this.deliveries.push(delivery)
    const acked = new Promise<number>((resolve) => this.ackWaiters.set(envelopeId, resolve))
    ws.send(JSON.stringify(envelope))
    if (type === 'events_api') this.armRedelivery(delivery, payload)
    return { envelopeId, eventId: opts.eventId, acked }
  }

  // Slack retries an unacked event up to 3 times, each on a fresh envelope with the same event_id.
  private armRedelivery(delivery: Delivery, payload: Record<string, unknown>): void {
    if (delivery.retryAttempt >= MAX_RETRIES) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (delivery.ackedAt !== undefined || !this.redeliver) return
      if (this.sockets.size === 0) return this.armRedelivery(delivery, payload) // nobody to retry to yet
      const retryAttempt = delivery.retryAttempt + 1
      this.deliver('events_api', payload, {
        eventId: delivery.eventId,
        retryAttempt,
        retryReason: 'timeout',
        retryOf: delivery.envelopeId,
      })
    }, this.ackTimeoutMs)
    this.timers.add(timer)
  }

  private pickSocket(connectionId?: number): ServerWebSocket<Connection> {
    if (connectionId !== undefined) {
      const ws = this.sockets.get(connectionId)
      if (!ws) throw new Error(`fake Slack: connection ${connectionId} is not open`)
      return ws
    }
    // Prefer the newest connection: after a reconnect the old one may be half-closed.
    const newest = [...this.sockets.values()].at(-1)
    if (!newest)
      throw new Error(`fake Slack: no open Socket Mode connection to deliver to\n${this.dump()}`)
    return newest
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private async route(req: Request, server: Server<Connection>): Promise<Response | undefined> {
    const url = new URL(req.url)
    if (url.pathname.startsWith('/link')) {
      const ticket = url.searchParams.get('ticket') ?? ''
      // Tickets are single-use, as on Slack: a client must call apps.connections.open for each connection.
      if (!this.tickets.delete(ticket)) return new Response('invalid ticket', { status: 401 })
      const upgraded = server.upgrade(req, { data: { id: ++this.connSeq, openedAt: Date.now() } })
      return upgraded ? undefined : new Response('expected a WebSocket upgrade', { status: 400 })
    }
    if (url.pathname === '/openid/connect/authorize') return this.oidc.authorize(url)
    if (url.pathname.startsWith('/upload/')) return this.receiveUpload(url.pathname.slice(8), req)
    if (url.pathname.startsWith('/api/'))
      return this.apiCall(url.pathname.slice('/api/'.length), url, req)
    return new Response('not found', { status: 404 })
  }

  private async apiCall(method: string, url: URL, req: Request): Promise<Response> {
    const args: Args = Object.fromEntries(url.searchParams)
    const parsed = await parseBody(req).catch(() => undefined)
    Object.assign(args, parsed)
    const bearer = req.headers.get('authorization')?.replace(/^Bearer\s+/i, '')
    const token = bearer || str(args.token)
    delete args.token
    const call: ApiCall = { method, args, token, at: Date.now() }
    this.calls.push(call)

    const wait = this.delays.get(method)
    if (wait) await Bun.sleep(wait)
    const fault = this.takeFault(method, args)
    const answer = () =>
      parsed ? this.answer(method, args, token) : { ok: false, error: 'invalid_json' }
    const [status, body, headers] = fault ? faultResponse(fault) : [200, answer(), {}]
    call.status = status
    call.response = body
    if (typeof body === 'string') return new Response(body, { status, headers })
    return Response.json(body, { status, headers })
  }

  private answer(method: string, args: Args, token: string | undefined): object {
    // The OpenID methods take the app's client credentials, or the token a sign-in got.
    const oidc = this.oidc.answer(method, args, token)
    if (oidc) return oidc
    if (!token) return { ok: false, error: 'not_authed' }
    const isUser = !!this.userToken && token === this.userToken
    if (token !== this.botToken && token !== this.appToken && !isUser)
      return { ok: false, error: 'invalid_auth' }
    // Bots may not search (Slack answers not_allowed_token_type). The user token is refused
    // everywhere else, which real Slack would not do: here it makes a test fail if the bot ever
    // acts (reacts, posts) as the person whose token it holds.
    if (method.startsWith('search.') !== isUser)
      return { ok: false, error: 'not_allowed_token_type' }
    const handler = this.handlers[method]
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method }
    // App-level tokens only open sockets; bot tokens cannot.
    const wantsApp = method === 'apps.connections.open'
    if ((token === this.appToken) !== wantsApp)
      return { ok: false, error: 'not_allowed_token_type' }
    return handler(args)
  }

  private readonly handlers: Record<string, Handler> = {
    'auth.test': () =>
      ({
        ok: true,
        url: 'https://fake.slack/',
        team: 'Fake Team',
        user: this.botName,
        team_id: this.teamId,
        user_id: this.botUserId,
        bot_id: this.botId,
        is_enterprise_install: false,
      }) satisfies AuthTestResponse,

    'apps.connections.open': () => {
      const ticket = randomUUID()
      this.tickets.add(ticket)
      const url = `ws://127.0.0.1:${this.server.port}/link/?ticket=${ticket}&app_id=${this.appId}`
      return { ok: true, url } satisfies AppsConnectionsOpenResponse
    },

    'chat.postMessage': (args) => {
      const checked = checkMessage(args)
      if ('error' in checked) return { ok: false, error: checked.error }
      const channel = String(args.channel)
      const ts = this.nextTs()
      const thread_ts = str(args.thread_ts)
      const { text, blocks } = checked
      this.messages.push({
        channel,
        ts,
        thread_ts,
        text,
        blocks,
        user: this.botUserId,
        edits: 0,
        args,
      })
      return { ok: true, channel, ts, message: this.messageView(channel, ts) }
    },

    // The bot's own messages in a channel (newest first) or a thread (oldest first), with their
    // metadata when asked for it, as Slack answers them.
    'conversations.history': (args) => {
      const channel = String(args.channel)
      const limit = Number(args.limit ?? 100)
      const top = this.messages.filter(
        (m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts),
      )
      return {
        ok: true,
        messages: top
          .reverse()
          .slice(0, limit)
          .map((m) => this.historyView(m, args)),
        has_more: false,
      }
    },
    'conversations.replies': (args) => {
      const channel = String(args.channel)
      const ts = String(args.ts)
      const thread = this.messages.filter(
        (m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts),
      )
      return { ok: true, messages: thread.map((m) => this.historyView(m, args)), has_more: false }
    },

    'chat.update': (args) => {
      const msg = this.findMessage(String(args.channel), String(args.ts))
      if (!msg) return { ok: false, error: 'message_not_found' }
      const checked = checkMessage(args)
      if ('error' in checked) return { ok: false, error: checked.error }
      if (args.text !== undefined) msg.text = checked.text
      if (args.blocks !== undefined) msg.blocks = checked.blocks
      msg.edits++
      const message = this.messageView(msg.channel, msg.ts)
      return { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text, message }
    },

    'chat.getPermalink': (args) => {
      if (!args.channel || !args.message_ts) return { ok: false, error: 'invalid_arguments' }
      const p = String(args.message_ts).replace('.', '')
      const permalink = `https://fake.slack/archives/${String(args.channel)}/p${p}`
      return {
        ok: true,
        channel: String(args.channel),
        permalink,
      } satisfies ChatGetPermalinkResponse
    },

    'views.open': (args) => {
      // Slack refuses a trigger id after 3 s or a second use; the fake only wants one and a view.
      if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' }
      if (!args.view) return { ok: false, error: 'invalid_arguments' }
      const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as Record<
        string,
        unknown
      >
      const id = `V${this.nextId()}`
      this.views.push({ id, triggerId: String(args.trigger_id), view })
      return { ok: true, view: { id, ...view } }
    },

    'chat.postEphemeral': (args) => {
      if (!args.channel || !args.user || !args.text)
        return { ok: false, error: 'invalid_arguments' }
      this.ephemeral.push({
        channel: String(args.channel),
        user: String(args.user),
        text: String(args.text),
      })
      return { ok: true, message_ts: this.nextTs() }
    },

    'reactions.add': (args) => {
      if (!args.channel || !args.timestamp || !args.name)
        return { ok: false, error: 'invalid_arguments' }
      const r = {
        channel: String(args.channel),
        timestamp: String(args.timestamp),
        name: String(args.name),
      }
      const same = (x: FakeReaction) =>
        x.channel === r.channel && x.timestamp === r.timestamp && x.name === r.name
      if (this.reactions.some(same)) return { ok: false, error: 'already_reacted' }
      this.reactions.push(r)
      return { ok: true }
    },

    'search.messages': (args) => this.search(args),

    'usergroups.users.list': (args) => {
      const members = this.usergroups.get(String(args.usergroup))
      return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' }
    },
    'users.info': (args) => {
      const id = String(args.user)
      const u = this.users.get(id)
      if (!u) return { ok: false, error: 'user_not_found' }
      const user = {
        id,
        team_id: this.teamId,
        name: u.name ?? id.toLowerCase(),
        real_name: u.real_name ?? u.name ?? id,
        deleted: u.deleted ?? false,
        is_bot: u.is_bot ?? false,
        is_restricted: u.is_restricted ?? false,
        is_ultra_restricted: u.is_ultra_restricted ?? false,
        is_admin: false,
        is_owner: false,
        profile: {},
      }
      return { ok: true, user } satisfies UsersInfoResponse
    },

    'conversations.join': (args) => {
      const id = str(args.channel)
      if (!id) return { ok: false, error: 'channel_not_found' }
      // Unknown ids are created on the fly so tests need not declare every channel the bot touches.
      let channel = this.findChannel(id)
      if (!channel) this.channels.push((channel = { id, name: id.toLowerCase() }))
      if (channel.is_archived) return { ok: false, error: 'is_archived' }
      channel.is_member = true
      channel.members = [...new Set([...(channel.members ?? []), this.botUserId])]
      return { ok: true, channel: this.channelView(channel) }
    },

    'conversations.info': (args) => {
      const channel = this.findChannel(String(args.channel))
      // As for a bot token: a private channel the bot is not in does not exist.
      if (!channel || (channel.is_private && !this.isBotIn(channel)))
        return { ok: false, error: 'channel_not_found' }
      return { ok: true, channel: this.channelView(channel) } satisfies ConversationsInfoResponse
    },

    'conversations.list': (args) => {
      const types = new Set((str(args.types) ?? 'public_channel').split(','))
      const all = this.channels.filter(
        (c) =>
          types.has(channelKind(c)) &&
          !(c.is_archived && String(args.exclude_archived) === 'true') &&
          // A bot token lists only the private channels the bot is in.
          !(c.is_private && !this.isBotIn(c)),
      )
      const page = paginate(all, args)
      if (!page) return { ok: false, error: 'invalid_cursor' }
      return {
        ok: true,
        channels: page.items.map((c) => this.channelView(c)),
        response_metadata: { next_cursor: page.next },
      } satisfies ConversationsListResponse
    },

    'conversations.members': (args) => {
      const channel = this.findChannel(String(args.channel))
      if (!channel) return { ok: false, error: 'channel_not_found' }
      const page = paginate(channel.members ?? [], args)
      if (!page) return { ok: false, error: 'invalid_cursor' }
      const response_metadata = { next_cursor: page.next }
      return {
        ok: true,
        members: page.items,
        response_metadata,
      } satisfies ConversationsMembersResponse
    },

    'files.getUploadURLExternal': (args) => {
      const filename = str(args.filename)
      if (!filename || !args.length) return { ok: false, error: 'invalid_arguments' }
      const file_id = `F${this.nextId()}`
      this.uploads.set(file_id, { filename })
      const upload_url = `${this.origin}/upload/${file_id}`
      return { ok: true, upload_url, file_id } satisfies FilesGetUploadURLExternalResponse
    },

    'files.completeUploadExternal': (args) => {
      const list = Array.isArray(args.files)
        ? (args.files as { id?: string; title?: string }[])
        : []
      if (list.length === 0) return { ok: false, error: 'invalid_arguments' }
      // Check every file first so a failed call records nothing, as Slack shares all or none.
      const missing = list.some((f) => !this.uploads.get(String(f.id))?.bytes)
      if (missing) return { ok: false, error: 'file_not_found' }
      const done = list.map((f) => {
        const id = String(f.id)
        const upload = this.uploads.get(id)!
        this.uploads.delete(id)
        const bytes = upload.bytes!
        const file: FakeFile = {
          id,
          filename: upload.filename,
          title: f.title ?? upload.filename,
          channel_id: str(args.channel_id),
          thread_ts: str(args.thread_ts),
          initial_comment: str(args.initial_comment),
          content: new TextDecoder().decode(bytes),
          length: bytes.length,
        }
        this.files.push(file)
        const channels = file.channel_id ? [file.channel_id] : []
        return { id, name: file.filename, title: file.title, size: file.length, channels }
      })
      return { ok: true, files: done }
    },
  }

  /**
   * search.messages over what people said and what the bot posted, with the modifiers the bot
   * uses: words (case-insensitive, anywhere in the text, links included, as Slack indexes them),
   * `-word`, `in:`/`-in:` (`<#C1>`, `<#C1|name>` or `#name`), `from:`/`-from:` (`<@U1>`),
   * `has::emoji:`/`-has::emoji:` (reactions), and `after:`/`before:`/`on:` (UTC days).
   */
  private search(args: Args): object {
    const query = str(args.query)
    if (!query) return { ok: false, error: 'no_query' }
    const filters: ((m: FakePosted) => boolean)[] = []
    for (const term of query.match(/"[^"]*"|\S+/g) ?? []) {
      const neg = term.startsWith('-') && term.length > 1
      const t = neg ? term.slice(1) : term
      const m = /^(in|from|has|after|before|on):(.+)$/.exec(t)
      let test: (p: FakePosted) => boolean
      if (m?.[1] === 'in') {
        const ref = m[2]!
        const id =
          /^<#([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(ref)?.[1] ??
          this.channels.find((c) => `#${c.name}` === ref)?.id ??
          ref
        test = (p) => p.channel === id
      } else if (m?.[1] === 'from') {
        const id = /^<@([A-Z0-9]+)>$/.exec(m[2]!)?.[1] ?? m[2]!
        test = (p) => p.user === id
      } else if (m?.[1] === 'has') {
        const name = /^:([^:]+):$/.exec(m[2]!)?.[1]
        test = (p) =>
          this.reactions.some(
            (r) => r.channel === p.channel && r.timestamp === p.ts && r.name === name,
          )
      } else if (m && /^\d{4}-\d{2}-\d{2}$/.test(m[2]!)) {
        const start = Date.parse(`${m[2]}T00:00:00Z`) / 1000
        const end = start + 86_400
        test =
          m[1] === 'after'
            ? (p) => Number(p.ts) >= end
            : m[1] === 'before'
              ? (p) => Number(p.ts) < start
              : (p) => Number(p.ts) >= start && Number(p.ts) < end
      } else {
        const word = t.replace(/^"|"$/g, '').toLowerCase()
        test = (p) => p.text.toLowerCase().includes(word)
      }
      filters.push(neg ? (p) => !test(p) : test)
    }
    const mine: FakePosted[] = this.messages.map((m) => ({
      channel: m.channel,
      ts: m.ts,
      user: m.user,
      text: m.text ?? '',
      thread_ts: m.thread_ts,
      bot_id: this.botId,
    }))
    const found = [...this.posted, ...mine].filter((p) => filters.every((f) => f(p)))
    const asc = String(args.sort_dir) === 'asc'
    found.sort((a, b) => (Number(a.ts) - Number(b.ts)) * (asc ? 1 : -1))
    const count = Math.max(1, Math.min(Number(args.count) || 20, 100))
    const page = Math.max(1, Number(args.page) || 1)
    const pages = Math.max(1, Math.ceil(found.length / count))
    const matches = found.slice((page - 1) * count, page * count).map((p) => this.searchMatch(p))
    const first = (page - 1) * count + 1
    return {
      ok: true,
      query,
      messages: {
        total: found.length,
        pagination: {
          total_count: found.length,
          page,
          per_page: count,
          page_count: pages,
          first,
          last: first + matches.length - 1,
        },
        paging: { count, total: found.length, page, pages },
        matches,
      },
    } satisfies SearchMessagesResponse
  }

  /** One result as Slack shapes it; a thread reply's permalink names its thread. */
  private searchMatch(p: FakePosted): Record<string, unknown> {
    const c = this.findChannel(p.channel)
    const isIm = c?.is_im ?? p.channel.startsWith('D')
    const link = `https://fake.slack/archives/${p.channel}/p${p.ts.replace('.', '')}`
    return {
      iid: randomUUID(),
      team: this.teamId,
      type: 'message',
      user: p.user,
      username: this.users.get(p.user)?.name ?? p.user.toLowerCase(),
      ts: p.ts,
      text: p.text,
      permalink:
        p.thread_ts && p.thread_ts !== p.ts
          ? `${link}?thread_ts=${p.thread_ts}&cid=${p.channel}`
          : link,
      ...(p.bot_id ? { bot_id: p.bot_id } : {}),
      channel: {
        id: p.channel,
        name: isIm ? p.user : (c?.name ?? p.channel.toLowerCase()),
        is_channel: !isIm && !c?.is_mpim && !c?.is_private,
        is_group: !!c?.is_private,
        is_im: isIm,
        is_mpim: !!c?.is_mpim,
        is_private: isIm || !!c?.is_private || !!c?.is_mpim,
        is_shared: false,
        is_ext_shared: false,
        is_org_shared: false,
        is_pending_ext_shared: false,
        pending_shared: [],
      },
    }
  }

  // The SDK posts the bytes as multipart/form-data (one file field); raw bodies are accepted too.
  private async receiveUpload(fileId: string, req: Request): Promise<Response> {
    const upload = this.uploads.get(fileId)
    if (!upload || req.method !== 'POST') return new Response('upload not found', { status: 404 })
    let bytes: Uint8Array
    if (req.headers.get('content-type')?.startsWith('multipart/form-data')) {
      const blob = [...(await req.formData()).values()].find((v) => typeof v !== 'string') as
        | Blob
        | undefined
      bytes = blob ? new Uint8Array(await blob.arrayBuffer()) : new Uint8Array()
    } else {
      bytes = new Uint8Array(await req.arrayBuffer())
    }
    upload.bytes = bytes
    return new Response(`OK - ${bytes.length}`, { status: 200 })
  }

  // --- helpers -------------------------------------------------------------------------------

  private message(m: MessageSpec, channel_type: 'im' | 'channel'): GenericMessageEvent {
    const ts = m.ts ?? this.nextTs()
    const { user, text, channel, thread_ts } = m
    return {
      type: 'message',
      subtype: undefined,
      user,
      text,
      ts,
      channel,
      channel_type,
      event_ts: ts,
      team: this.teamId,
      client_msg_id: randomUUID(),
      ...(thread_ts ? { thread_ts } : {}),
    }
  }

  private historyView(m: FakeMessage, args: Args): Record<string, unknown> {
    const withMetadata = String(args.include_all_metadata) === 'true'
    return {
      ...this.messageView(m.channel, m.ts),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(withMetadata && m.args.metadata ? { metadata: m.args.metadata } : {}),
    }
  }

  private messageView(channel: string, ts: string): Record<string, unknown> {
    const m = this.findMessage(channel, ts)!
    return {
      type: 'message',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      ts: m.ts,
      text: m.text ?? '',
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    }
  }

  private channelView(c: FakeChannel): Record<string, unknown> {
    const { members, ...rest } = c
    return {
      ...rest,
      name_normalized: c.name,
      is_channel: channelKind(c) === 'public_channel',
      is_private: !!c.is_private,
      is_archived: !!c.is_archived,
      is_member: !!c.is_member,
      num_members: members?.length ?? 0,
    }
  }

  private findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts)
  }

  private isBotIn(c: FakeChannel): boolean {
    return !!c.is_member || !!c.members?.includes(this.botUserId)
  }

  private findChannel(id: string): FakeChannel | undefined {
    return this.channels.find((c) => c.id === id)
  }

  private nextId(): string {
    return String(++this.seq).padStart(10, '0')
  }

  /** A unique ts at the current time, for messages search must find as today's. */
  private nowTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq % 1_000_000).padStart(6, '0')}`
  }

  /** Message timestamps are unique and increasing, shaped like Slack's `seconds.micros`. */
  private nextTs(): string {
    const n = ++this.seq
    return `${1_700_000_000 + Math.floor(n / 10_000)}.${String((n % 10_000) * 100).padStart(6, '0')}`
  }

  private dump(): string {
    const calls = this.calls.slice(-15).map((c) => {
      const res = c.response as { ok?: boolean; error?: string } | undefined
      const outcome =
        c.status === undefined ? 'pending' : `${c.status} ${res?.ok ? 'ok' : (res?.error ?? '')}`
      return `  ${c.method} ${JSON.stringify(c.args).slice(0, 200)} -> ${outcome}`
    })
    const deliveries = this.deliveries.slice(-10).map((d) => {
      const ack = d.ackedAt ? `acked after ${d.ackedAt - d.sentAt} ms` : 'unacked'
      return `  ${d.type} ${d.eventId ?? ''} attempt=${d.retryAttempt} conn=${d.connectionId} ${ack}`
    })
    return [
      `open connections: ${this.connectionCount} (opened ever: ${this.connectionsOpened})`,
      `recent Web API calls (${this.calls.length} total):`,
      ...calls,
      `recent deliveries (${this.deliveries.length} total):`,
      ...deliveries,
    ].join('\n')
  }
}

async function parseBody(req: Request): Promise<Args> {
  const type = req.headers.get('content-type') ?? ''
  if (req.method !== 'POST') return {}
  if (type.includes('application/json')) return ((await req.json()) ?? {}) as Args
  if (type.includes('multipart/form-data')) return decodeFields((await req.formData()).entries())
  return decodeFields(new URLSearchParams(await req.text()).entries())
}

function decodeFields(entries: Iterable<[string, unknown]>): Args {
  const out: Args = {}
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue
    out[key] = JSON_FIELDS.has(key) ? tryJson(value) : value
  }
  return out
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    return value // Slack would answer invalid_blocks/invalid_arguments; checkMessage catches blocks
  }
}

function faultResponse(fault: Fault): [number, object | string, Record<string, string>] {
  if (fault.status === 429) {
    return [
      429,
      { ok: false, error: 'ratelimited' },
      { 'Retry-After': String(fault.retryAfter ?? 1) },
    ]
  }
  if (fault.error) return [fault.status ?? 200, { ok: false, error: fault.error }, {}]
  return [fault.status ?? 500, 'fake Slack: injected server error', {}]
}

function checkMessage(args: Args): { text?: string; blocks?: unknown[] } | { error: string } {
  if (!args.channel) return { error: 'channel_not_found' }
  const blocks = args.blocks
  const badBlocks = blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS)
  if (badBlocks) return { error: 'invalid_blocks' }
  const text = str(args.text)
  if (!text && !blocks && !args.attachments) return { error: 'no_text' }
  // Slack truncates rather than rejects long text.
  return { text: text?.slice(0, MAX_TEXT), blocks: blocks as unknown[] | undefined }
}

function channelKind(c: FakeChannel): string {
  if (c.is_im) return 'im'
  if (c.is_mpim) return 'mpim'
  return c.is_private ? 'private_channel' : 'public_channel'
}

// Cursors are opaque to clients; an offset in base64 is enough to exercise their paging loops.
function paginate<T>(all: T[], args: Args): { items: T[]; next: string } | undefined {
  const limit = Math.max(1, Math.min(Number(args.limit) || 100, 1000))
  let offset = 0
  if (args.cursor) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(String(args.cursor), 'base64').toString())
    if (!m) return undefined
    offset = Number(m[1])
  }
  const end = offset + limit
  const next = end < all.length ? Buffer.from(`offset:${end}`).toString('base64') : ''
  return { items: all.slice(offset, end), next }
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v)
}
