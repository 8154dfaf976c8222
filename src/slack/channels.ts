// Channels: at start the bot lists every channel it can see, resolves configured
// names (logs, tech-support, support routes) to ids, and joins the public channels it is not in,
// so people can mention it anywhere. Private channels are never joined automatically. Changes
// after start reach the ChannelDirectory through events.
import type { ConversationsListResponse, WebClient } from '@slack/web-api'
import type { Logger } from '../util/log.ts'
import { errorText } from '../util/log.ts'
import { slackErrorCode } from './errors.ts'

export interface ChannelInfo {
  id: string
  name: string
  isPrivate: boolean
  isMember: boolean
}

/** Non-archived channels, every page. Private ones (groups:read) are listed only to resolve names. */
export async function listChannels(web: WebClient, log: Logger): Promise<ChannelInfo[]> {
  try {
    return await pages(web, 'public_channel,private_channel')
  } catch (e) {
    if (slackErrorCode(e) !== 'missing_scope') throw e
    log.warn('slack.channels_public_only', {
      reason: 'the app lacks groups:read; private channels must be given by id',
    })
    return pages(web, 'public_channel')
  }
}

async function pages(web: WebClient, types: string): Promise<ChannelInfo[]> {
  const out: ChannelInfo[] = []
  for await (const page of web.paginate('conversations.list', {
    types,
    exclude_archived: true,
    limit: 200,
  })) {
    for (const c of (page as ConversationsListResponse).channels ?? []) {
      if (!c.id || !c.name || c.is_archived) continue
      out.push({ id: c.id, name: c.name, isPrivate: !!c.is_private, isMember: !!c.is_member })
    }
  }
  return out
}

export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/

/** A channel's name by id (conversations.info); undefined when Slack will not say. */
export async function fetchChannelName(
  web: WebClient,
  channel: string,
  log: Logger,
): Promise<string | undefined> {
  try {
    return (await web.conversations.info({ channel })).channel?.name
  } catch (e) {
    log.warn('slack.channel_info_failed', { channel, error: errorText(e) })
    return undefined
  }
}

/** Joins the listed public channels the bot is not in yet; returns how many it joined. */
export async function joinPublicChannels(
  web: WebClient,
  channels: readonly ChannelInfo[],
  log: Logger,
): Promise<number> {
  let joined = 0
  for (const c of channels) {
    if (c.isPrivate || c.isMember) continue
    if (await joinChannel(web, c.id, log)) joined++
  }
  return joined
}

export async function joinChannel(web: WebClient, channel: string, log: Logger): Promise<boolean> {
  try {
    await web.conversations.join({ channel })
    log.info('slack.joined', { channel })
    return true
  } catch (e) {
    log.warn('slack.join_failed', { channel, error: errorText(e) })
    return false
  }
}
