// Who is asking, for the access rules, from a front door's message: a door of trusted operators
// (the local terminal) says so in the message itself.
import { askerOf as fromFields, type Asker } from '../commands/access.ts'
import type { MessageIn } from './door.ts'

export const askerOf = (msg: MessageIn): Asker => fromFields({ ...msg, trusted: !!msg.trusted })
