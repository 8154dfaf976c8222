// Button presses (Approve, Deny, Cancel, Rerun, Logs) become the verb a user could have typed, so
// they go through the same router, rules and replies. A double click does one thing: approvals
// are conditioned on the run's state, Cancel acts once per message it sits on, and Rerun once per
// message within a few seconds (pressed again later, it reruns again, as asked).
import type { ControlAction as ButtonAction } from './door.ts'
import type { AppContext } from './context.ts'
import type { MessageIn } from './door.ts'
import { handleMessage, type Handled } from './handle-message.ts'

export interface ActionIn extends Omit<MessageIn, 'text' | 'messageTs' | 'isDirect'> {
  action: ButtonAction
  runId: number
  /** the message the button is on: with the action, the key that makes presses idempotent */
  buttonMessageTs: string
  isDirect?: boolean
}

const VERB: Record<ButtonAction, string> = {
  approve: 'approve',
  deny: 'deny',
  cancel: 'cancel',
  rerun: 'rerun',
  logs: 'logs',
}
const ONCE: ButtonAction[] = ['rerun', 'cancel']
/** Presses of one Rerun button closer together than this are one click. */
export const DOUBLE_CLICK_MS = 10_000

export async function handleAction(ctx: AppContext, a: ActionIn): Promise<Handled> {
  const { action, runId, buttonMessageTs, ...rest } = a
  const key = `${a.channel}:${buttonMessageTs}:${action}`
  const once = ONCE.includes(action)
  const fresh = async () =>
    action === 'rerun'
      ? await ctx.queue.markSeenWithin(ctx.now(), 'button', key, DOUBLE_CLICK_MS, runId)
      : await ctx.queue.markSeen(ctx.now(), 'button', key, runId)
  if (once && !(await fresh())) {
    ctx.log.info('action.duplicate', { action, run: runId, user: a.user })
    return { kind: 'duplicate', accepted: false, replies: [] }
  }
  ctx.log.info('action.pressed', { action, run: runId, user: a.user })
  const handled = await handleMessage(ctx, {
    ...rest,
    isDirect: a.isDirect ?? false,
    text: `${VERB[action]} ${runId}`,
    messageTs: null,
  })
  if (once && !handled.accepted) await ctx.queue.unmarkSeen('button', key) // refused: the button still works for others
  return handled
}
