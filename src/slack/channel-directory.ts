// The channels the bot knows, kept current while it runs. Listed once at start, then updated from
// Slack's channel events, because two things read it on every message: access rules name channels
// (`channels: [deploys]`), and the sweep acts only in private channels the bot is in. A channel
// created, renamed, or a private channel the bot is invited to after start must not wait for a
// restart.
import type { SlackEvent } from '@slack/types'
import { CHANNEL_ID, type ChannelInfo } from './channels.ts'

export type ChannelChange =
  | { kind: 'created'; id: string; name: string }
  | { kind: 'renamed'; id: string; name: string; isPrivate: boolean }
  | { kind: 'bot_joined'; id: string; isPrivate: boolean }
  | { kind: 'bot_left'; id: string }
  | { kind: 'gone'; id: string }
  | { kind: 'unarchived'; id: string; isPrivate: boolean }
  | { kind: 'moved'; id: string; to: string }

/** What a channel event changes for the bot, if anything. Pure. */
export function channelChange(event: SlackEvent, botUserId: string): ChannelChange | null {
  switch (event.type) {
    case 'channel_created':
      return { kind: 'created', id: event.channel.id, name: event.channel.name }
    case 'channel_rename':
    case 'group_rename':
      return {
        kind: 'renamed',
        id: event.channel.id,
        name: event.channel.name,
        isPrivate: event.type === 'group_rename',
      }
    case 'member_joined_channel':
      // channel_type is C (public) or G (private); other members joining change nothing here.
      return event.user === botUserId
        ? { kind: 'bot_joined', id: event.channel, isPrivate: event.channel_type === 'G' }
        : null
    case 'member_left_channel':
      return event.user === botUserId ? { kind: 'bot_left', id: event.channel } : null
    case 'channel_left':
    case 'group_left':
      return { kind: 'bot_left', id: event.channel }
    case 'channel_archive':
    case 'group_archive':
    case 'channel_deleted':
    case 'group_deleted':
      return { kind: 'gone', id: event.channel }
    // Back from the archive: known again, its name and membership looked up as for an invitation.
    case 'channel_unarchive':
    case 'group_unarchive':
      return { kind: 'unarchived', id: event.channel, isPrivate: event.type === 'group_unarchive' }
    // Slack gives a channel a new id when it moves (e.g. into an Enterprise Grid org).
    case 'channel_id_changed':
      return { kind: 'moved', id: event.old_channel_id, to: event.new_channel_id }
    default:
      return null
  }
}

export class ChannelDirectory {
  private readonly byId = new Map<string, ChannelInfo>()
  private readonly idByName = new Map<string, string>()

  constructor(channels: readonly ChannelInfo[]) {
    for (const c of channels) this.put({ ...c })
  }

  get size(): number {
    return this.byId.size
  }

  /** A channel's name without `#`; undefined when unknown (access rules by name then do not match). */
  nameOf(id: string): string | undefined {
    return this.byId.get(id)?.name || undefined
  }

  /** `#logs`, `logs` or an id such as `C0123ABC`; undefined when no known channel has that name. */
  resolve(value: string): string | undefined {
    const v = value.trim().replace(/^#/, '')
    if (CHANNEL_ID.test(v)) return v
    return this.idByName.get(v.toLowerCase())
  }

  /**
   * Whether the bot may react and link there. Public channels: always (it joins them). Private
   * ones: only those it is in; anywhere else it could do neither, so it leaves them to the people there.
   */
  canAct(c: { id: string; isPrivate: boolean }): boolean {
    return !c.isPrivate || this.byId.has(c.id)
  }

  apply(change: ChannelChange): void {
    const known = this.byId.get(change.id)
    switch (change.kind) {
      case 'created':
        this.put({
          id: change.id,
          name: change.name,
          isPrivate: false,
          isMember: known?.isMember ?? false,
        })
        return
      case 'renamed':
        // A rename the bot hears of is in a channel it can see; a private one, only if it is in it.
        this.put({
          id: change.id,
          name: change.name,
          isPrivate: known?.isPrivate ?? change.isPrivate,
          isMember: known?.isMember ?? change.isPrivate,
        })
        return
      case 'bot_joined':
        this.put({
          id: change.id,
          name: known?.name ?? '',
          isPrivate: known?.isPrivate ?? change.isPrivate,
          isMember: true,
        })
        return
      case 'bot_left':
        if (!known) return
        if (known.isPrivate) this.remove(known)
        else known.isMember = false
        return
      case 'gone':
        if (known) this.remove(known)
        return
      case 'unarchived':
        // A private channel's events reach the bot only if it is in it; a public one it rejoins.
        this.put({
          id: change.id,
          name: known?.name ?? '',
          isPrivate: change.isPrivate,
          isMember: known?.isMember ?? change.isPrivate,
        })
        return
      case 'moved':
        if (!known) return
        this.remove(known)
        this.put({ ...known, id: change.to })
        return
    }
  }

  private put(c: ChannelInfo): void {
    const old = this.byId.get(c.id)
    if (old) this.forgetName(old)
    this.byId.set(c.id, c)
    if (c.name) this.idByName.set(c.name.toLowerCase(), c.id)
  }

  private remove(c: ChannelInfo): void {
    this.byId.delete(c.id)
    this.forgetName(c)
  }

  /** Drops the name's entry while it still points here (another channel may have taken the name since). */
  private forgetName(c: ChannelInfo): void {
    const key = c.name.toLowerCase()
    if (this.idByName.get(key) === c.id) this.idByName.delete(key)
  }
}
