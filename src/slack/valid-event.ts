// The Slack door's check of an event's shape before any rule reads it: every field the rules use
// has the type Slack documents, or the event is refused with the reason. A field of the wrong
// type (a number where an id belongs, an object for the text) would otherwise surface as a
// TypeError deep in handling, or reach the database as a value it cannot bind.
import type { SlackEvent } from '@slack/types'

export type EventCheck = { ok: true; event: SlackEvent } | { ok: false; reason: string }

/** Fields that, when present, are strings in every event type the bot reads. */
const STRING_FIELDS = [
  'user',
  'ts',
  'thread_ts',
  'text',
  'subtype',
  'bot_id',
  'channel_type',
  'old_channel_id',
  'new_channel_id',
  'event_ts',
] as const

/** Channel events whose `channel` is an object (`{id, name}`) rather than an id. */
const CHANNEL_OBJECT = new Set(['channel_created', 'channel_rename', 'group_rename'])

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: unknown) => typeof v === 'string' && v !== ''

function badField(o: Record<string, unknown>, where: string): string | undefined {
  for (const k of STRING_FIELDS)
    if (Object.hasOwn(o, k) && o[k] !== undefined && typeof o[k] !== 'string')
      return `${where}${k} is not a string`
  if (Object.hasOwn(o, 'edited') && o.edited !== undefined && !isObject(o.edited))
    return `${where}edited is not an object`
  return undefined
}

export function checkEvent(event: unknown): EventCheck {
  if (!isObject(event)) return { ok: false, reason: 'the event is not an object' }
  if (!isText(event.type)) return { ok: false, reason: 'the event has no type' }
  const type = event.type as string
  const bad = badField(event, '')
  if (bad) return { ok: false, reason: bad }
  if (CHANNEL_OBJECT.has(type)) {
    const c = event.channel
    if (!isObject(c) || !isText(c.id) || typeof c.name !== 'string')
      return { ok: false, reason: 'channel is not {id, name}' }
  } else if (event.channel !== undefined && !isText(event.channel)) {
    return { ok: false, reason: 'channel is not an id' }
  }
  if (type === 'message' || type === 'app_mention') {
    if (!isText(event.channel)) return { ok: false, reason: 'a message without a channel' }
    if (event.subtype === 'message_changed') {
      if (!isObject(event.message)) return { ok: false, reason: 'an edit without its message' }
      const inner = badField(event.message, 'message.')
      if (inner) return { ok: false, reason: inner }
    } else if (!isText(event.ts)) return { ok: false, reason: 'a message without a ts' }
  }
  if (
    type === 'channel_id_changed' &&
    !(isText(event.old_channel_id) && isText(event.new_channel_id))
  )
    return { ok: false, reason: 'a channel move without both ids' }
  if (
    (type.startsWith('member_') ||
      /^(channel|group)_(left|archive|unarchive|deleted)$/.test(type)) &&
    !isText(event.channel)
  )
    return { ok: false, reason: 'a channel event without its channel' }
  return { ok: true, event: event as unknown as SlackEvent }
}
