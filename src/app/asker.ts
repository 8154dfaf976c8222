// Who is asking, for the access rules, from a front door's message: the local terminal is trusted.
import { askerOf as fromFields, type Asker } from '../commands/access.ts'
import type { MessageIn } from './handle-message.ts'

export const askerOf = (msg: MessageIn): Asker =>
  fromFields({ ...msg, trusted: msg.door === 'local' })
