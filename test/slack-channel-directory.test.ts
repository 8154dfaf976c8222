// What the bot knows of channels after start (pure): channel events become changes, and the
// directory answers names (access rules), ids (configured channels) and where the sweep may act.
import { expect, test } from 'bun:test'
import type { SlackEvent } from '@slack/types'
import { channelChange, ChannelDirectory } from '../src/slack/channel-directory.ts'

const ev = (e: Record<string, unknown>) => e as unknown as SlackEvent
const start = () =>
  new ChannelDirectory([
    { id: 'CGEN', name: 'general', isPrivate: false, isMember: true },
    { id: 'GOPS', name: 'ops', isPrivate: true, isMember: true },
  ])

test('channel events map to changes; other people joining or leaving changes nothing', () => {
  const channel = {
    id: 'C9',
    name: 'new',
    name_normalized: 'new',
    created: 1,
    is_channel: true,
    is_mpim: false,
  }
  expect(channelChange(ev({ type: 'channel_created', channel, event_ts: '1' }), 'UBOT')).toEqual({
    kind: 'created',
    id: 'C9',
    name: 'new',
  })
  expect(channelChange(ev({ type: 'channel_rename', channel, event_ts: '1' }), 'UBOT')).toEqual({
    kind: 'renamed',
    id: 'C9',
    name: 'new',
    isPrivate: false,
  })
  expect(channelChange(ev({ type: 'group_rename', channel, event_ts: '1' }), 'UBOT')).toEqual({
    kind: 'renamed',
    id: 'C9',
    name: 'new',
    isPrivate: true,
  })
  expect(
    channelChange(
      ev({ type: 'member_joined_channel', user: 'UBOT', channel: 'G1', channel_type: 'G' }),
      'UBOT',
    ),
  ).toEqual({ kind: 'bot_joined', id: 'G1', isPrivate: true })
  expect(
    channelChange(
      ev({ type: 'member_joined_channel', user: 'U1', channel: 'G1', channel_type: 'G' }),
      'UBOT',
    ),
  ).toBeNull()
  expect(
    channelChange(
      ev({ type: 'member_left_channel', user: 'UBOT', channel: 'G1', channel_type: 'G' }),
      'UBOT',
    ),
  ).toEqual({ kind: 'bot_left', id: 'G1' })
  expect(
    channelChange(
      ev({ type: 'member_left_channel', user: 'U1', channel: 'G1', channel_type: 'G' }),
      'UBOT',
    ),
  ).toBeNull()
  expect(channelChange(ev({ type: 'group_left', channel: 'G1', actor_id: 'U1' }), 'UBOT')).toEqual({
    kind: 'bot_left',
    id: 'G1',
  })
  expect(channelChange(ev({ type: 'channel_archive', channel: 'C1', user: 'U1' }), 'UBOT')).toEqual(
    { kind: 'gone', id: 'C1' },
  )
  expect(
    channelChange(ev({ type: 'channel_unarchive', channel: 'C1', user: 'U1' }), 'UBOT'),
  ).toEqual({ kind: 'unarchived', id: 'C1', isPrivate: false })
  expect(
    channelChange(ev({ type: 'group_unarchive', channel: 'G1', actor_id: 'U1' }), 'UBOT'),
  ).toEqual({ kind: 'unarchived', id: 'G1', isPrivate: true })
  expect(
    channelChange(
      ev({ type: 'channel_id_changed', old_channel_id: 'C1', new_channel_id: 'C2', event_ts: '1' }),
      'UBOT',
    ),
  ).toEqual({ kind: 'moved', id: 'C1', to: 'C2' })
  expect(channelChange(ev({ type: 'reaction_added', user: 'U1' }), 'UBOT')).toBeNull()
})

test('a created channel resolves by name at once; a rename moves the name', () => {
  const d = start()
  expect(d.resolve('#deploys')).toBeUndefined()
  d.apply({ kind: 'created', id: 'CDEP', name: 'deploys' })
  expect(d.resolve('#deploys')).toBe('CDEP')
  expect(d.nameOf('CDEP')).toBe('deploys')
  d.apply({ kind: 'renamed', id: 'CDEP', name: 'old-deploys', isPrivate: false })
  expect(d.resolve('deploys')).toBeUndefined()
  expect(d.resolve('#old-deploys')).toBe('CDEP')
  // Another channel may now take the freed name.
  d.apply({ kind: 'renamed', id: 'CGEN', name: 'deploys', isPrivate: false })
  expect(d.resolve('#deploys')).toBe('CGEN')
  expect(d.resolve('old-deploys')).toBe('CDEP')
  expect(d.resolve('C0SOMEID')).toBe('C0SOMEID') // ids pass through
})

test('private channels: acted in only while the bot is in them', () => {
  const d = start()
  expect(d.canAct({ id: 'GOPS', isPrivate: true })).toBe(true)
  expect(d.canAct({ id: 'GSECRET', isPrivate: true })).toBe(false)
  expect(d.canAct({ id: 'CANY', isPrivate: false })).toBe(true)
  d.apply({ kind: 'bot_joined', id: 'GSECRET', isPrivate: true })
  expect(d.canAct({ id: 'GSECRET', isPrivate: true })).toBe(true)
  expect(d.nameOf('GSECRET')).toBeUndefined() // not known until looked up
  d.apply({ kind: 'renamed', id: 'GSECRET', name: 'secret', isPrivate: true })
  expect(d.nameOf('GSECRET')).toBe('secret')
  d.apply({ kind: 'bot_left', id: 'GSECRET' })
  expect(d.canAct({ id: 'GSECRET', isPrivate: true })).toBe(false)
  expect(d.resolve('#secret')).toBeUndefined()
})

test('archived channels are forgotten; a public channel the bot left keeps its name', () => {
  const d = start()
  d.apply({ kind: 'bot_left', id: 'CGEN' })
  expect(d.nameOf('CGEN')).toBe('general')
  d.apply({ kind: 'gone', id: 'CGEN' })
  expect(d.nameOf('CGEN')).toBeUndefined()
  expect(d.resolve('#general')).toBeUndefined()
  d.apply({ kind: 'gone', id: 'CNEVER' }) // unknown: nothing to do
  expect(d.size).toBe(1)
})

test('a channel back from the archive is known again; a private one is acted in at once', () => {
  const d = start()
  d.apply({ kind: 'gone', id: 'GOPS' })
  expect(d.canAct({ id: 'GOPS', isPrivate: true })).toBe(false)
  d.apply({ kind: 'unarchived', id: 'GOPS', isPrivate: true })
  expect(d.canAct({ id: 'GOPS', isPrivate: true })).toBe(true)
  expect(d.nameOf('GOPS')).toBeUndefined() // looked up by the caller, as after an invitation
  d.apply({ kind: 'renamed', id: 'GOPS', name: 'ops', isPrivate: true })
  expect(d.resolve('#ops')).toBe('GOPS')
})

test('a channel given a new id keeps its name under the new id only', () => {
  const d = start()
  d.apply({ kind: 'moved', id: 'CGEN', to: 'CGEN2' })
  expect(d.resolve('#general')).toBe('CGEN2')
  expect(d.nameOf('CGEN2')).toBe('general')
  expect(d.nameOf('CGEN')).toBeUndefined()
  d.apply({ kind: 'moved', id: 'CNEVER', to: 'CNEW' }) // unknown: nothing to do
  expect(d.size).toBe(2)
})
