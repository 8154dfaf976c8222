// The form a slash command opens when it was typed without its params (`/ebmbot op deploy`):
// one input per param (a select for choices, with what fits as the hint), and reading the
// submission back. Pure: Block Kit in, values out.
import type { View } from '@slack/types'
import { describeParam } from '../commands/param-check.ts'
import type { MissingParams } from '../commands/missing-params.ts'

const PARAMS_CALLBACK = 'ebmbot_params'

interface Meta {
  namespace: string
  pattern: string
  channel: string
  command: string
}

export function paramsModal(m: MissingParams, meta: { channel: string; command: string }): View {
  const privateMetadata: Meta = {
    namespace: m.namespace.name,
    pattern: m.command.pattern,
    channel: meta.channel,
    command: meta.command,
  }
  return {
    type: 'modal',
    callback_id: PARAMS_CALLBACK,
    private_metadata: JSON.stringify(privateMetadata),
    // Slack caps a modal title at 24 characters.
    title: { type: 'plain_text', text: m.namespace.name.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Run' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `\`${m.namespace.name} ${m.command.pattern}\`${m.command.help ? `: ${m.command.help}` : ''}`,
        },
      },
      ...m.params.map((name) => {
        const spec = m.command.params[name]
        return {
          type: 'input' as const,
          block_id: `param_${name}`,
          label: { type: 'plain_text' as const, text: name },
          hint: { type: 'plain_text' as const, text: `It must be ${describeParam(spec)}.` },
          element: spec?.choices
            ? {
                type: 'static_select' as const,
                action_id: 'value',
                options: spec.choices.slice(0, 100).map((c) => ({
                  text: { type: 'plain_text' as const, text: c },
                  value: c,
                })),
              }
            : { type: 'plain_text_input' as const, action_id: 'value' },
        }
      }),
    ],
  }
}

export interface Submission extends Meta {
  user: string
  values: Record<string, string>
}

/** A `view_submission` of the params form, or null for anything else. */
export function readSubmission(raw: Record<string, unknown>): Submission | null {
  const p = raw as {
    type?: string
    user?: { id?: string }
    view?: {
      callback_id?: string
      private_metadata?: string
      state?: {
        values?: Record<
          string,
          Record<string, { value?: string; selected_option?: { value?: string } }>
        >
      }
    }
  }
  if (p.type !== 'view_submission' || p.view?.callback_id !== PARAMS_CALLBACK || !p.user?.id)
    return null
  let meta: Meta
  try {
    meta = JSON.parse(p.view.private_metadata ?? '')
  } catch {
    return null
  }
  const values: Record<string, string> = {}
  for (const [block, inputs] of Object.entries(p.view.state?.values ?? {})) {
    if (!block.startsWith('param_')) continue
    const input = inputs.value
    const v = input?.selected_option?.value ?? input?.value
    if (typeof v === 'string') values[block.slice('param_'.length)] = v.trim()
  }
  return { ...meta, user: p.user.id, values }
}
