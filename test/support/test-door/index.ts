// A third front door, written only here and wired in by the caller: it proves a door needs
// nothing outside its own folder. Messages come in as (text, user, room, thread); what the bot
// says comes back as the neutral messages of the door contract, buttons as data, and a press is
// a button's action on its run.
import type { AppContext } from '../../../src/app/context.ts'
import type { ControlAction, MessageOut, Outgoing } from '../../../src/app/door.ts'
import { handleAction } from '../../../src/app/handle-action.ts'
import { handleMessage } from '../../../src/app/handle-message.ts'
import { startDeliverer } from '../../../src/notify/deliver.ts'

const TEST_DOOR = 'test-door'

export function startTestDoor(ctx: AppContext) {
  // What this door can do: people answer in threads; it cannot edit what it showed.
  ctx.doors.set(TEST_DOOR, { threads: true })
  const received: Outgoing[] = []
  const deliverer = startDeliverer({
    queue: ctx.queue,
    door: TEST_DOOR,
    wake: ctx.wake.outbox,
    log: ctx.log,
    pollMs: 100,
    transport: { deliver: async (m) => void received.push(m) },
  })
  let n = 0
  return {
    received,
    messages: () => received.filter((m): m is MessageOut => m.kind === 'message'),
    say(text: string, user = 'alice', thread?: string) {
      const ts = `t${++n}`
      return handleMessage(ctx, {
        door: TEST_DOOR,
        text,
        user,
        isGuest: false,
        isDirect: false,
        channel: 'room',
        threadTs: thread ?? ts,
        messageTs: ts,
      })
    },
    press(action: ControlAction, runId: number, user: string, onMessage: string) {
      return handleAction(ctx, {
        door: TEST_DOOR,
        action,
        runId,
        buttonMessageTs: onMessage,
        user,
        isGuest: false,
        channel: 'room',
        threadTs: onMessage,
      })
    },
    stop: () => deliverer.stop(),
  }
}
