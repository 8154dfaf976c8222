// The buttons of a run's page: the press goes through the shared button handling (the verb a
// person could type, the router, the access rules, the replies in the run's Slack thread), as
// the same person pressing the button under the run's message in its channel. A double submit
// of one rendered form is one press.
import type { AppContext } from '../app/context.ts'
import type { ControlAction } from '../app/door.ts'
import { handleAction } from '../app/handle-action.ts'
import type { Run } from '../queue/schema.ts'
import type { Viewer } from './viewer.ts'

export const WEB_DOOR = 'web'
export const ACTIONS: readonly ControlAction[] = ['cancel', 'rerun', 'approve', 'deny']

export async function press(
  ctx: AppContext,
  v: Viewer,
  run: Run,
  action: ControlAction,
  pressId: string,
  channelName?: string,
) {
  const asker = v.asker(run.channel, channelName)
  ctx.log.info('web.pressed', { action, run: run.id, user: v.session.user })
  return handleAction(ctx, {
    door: WEB_DOOR,
    action,
    runId: run.id,
    buttonMessageTs: `web-${pressId}`,
    ...asker,
    channel: run.channel,
    threadTs: run.threadTs ?? null,
    isDirect: run.isDm,
  })
}
