// Button presses arrive as `block_actions` payloads: this reads the press (which button, which
// run, who, on which message and thread) and nothing else. Pure.
import type { ControlAction as ButtonAction } from '../app/door.ts'
import { actionOf } from './blocks.ts'

export interface Press {
  action: ButtonAction
  runId: number
  user: string
  channel: string
  /** the message the button is on */
  messageTs: string
  /** the thread that message is in (the run's thread); the message itself when top-level */
  threadTs: string
}

type Payload = {
  type?: string
  user?: { id?: string }
  channel?: { id?: string }
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string }
  message?: { ts?: string; thread_ts?: string }
  actions?: { action_id?: string; value?: string }[]
}

export function readPress(raw: Record<string, unknown>): Press | null {
  const p = raw as Payload
  if (p.type !== 'block_actions') return null
  const a = p.actions?.[0]
  const action = a?.action_id ? actionOf(a.action_id) : undefined
  const runId = Number(a?.value)
  const user = p.user?.id
  const channel = p.channel?.id ?? p.container?.channel_id
  const messageTs = p.container?.message_ts ?? p.message?.ts
  if (!action || !Number.isSafeInteger(runId) || runId <= 0 || !user || !channel || !messageTs)
    return null
  return {
    action,
    runId,
    user,
    channel,
    messageTs,
    threadTs: p.message?.thread_ts ?? p.container?.thread_ts ?? messageTs,
  }
}
