// Who is asking, for the access rules, from a front door's message.
import type { Asker } from '../commands/access.ts'
import type { MessageIn } from './handle-message.ts'

export const askerOf = (msg: MessageIn): Asker => ({
  user: msg.user,
  groups: msg.groups,
  channel: msg.channel,
  channelName: msg.channelName,
  isGuest: msg.isGuest,
  trusted: msg.door === 'local',
})
