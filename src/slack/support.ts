// Tech-support routes: which messages call a team, and what the bot stores for them
// (a reaction on the message, then its permalink posted top-level in the team's channel).
import { hasKeyword } from '../syntax/keyword.ts'
import type { Outgoing } from '../app/door.ts'

export interface SupportRoute {
  keywords: string[]
  reaction: string
  /** the team's channel, as an id once resolved at startup */
  channel: string
  /** the route to the tech-support channel: its out-of-office dates apply */
  outOfOffice?: boolean
}

export function matchingRoutes(
  text: string | undefined,
  routes: readonly SupportRoute[],
): SupportRoute[] {
  if (!text) return []
  return routes.filter((r) => r.keywords.some((k) => hasKeyword(text, k)))
}

/**
 * The reaction first, then the bare permalink (the transport resolves `linkTo`) in the team's
 * channel. While the team is away, its notice comes before both, threaded under the message
 * (in its thread when it is a reply), so the asker hears it before anyone could react.
 */
export function supportOutgoing(
  route: SupportRoute,
  message: { channel: string; ts: string; threadTs?: string },
  awayText?: string,
): Outgoing[] {
  const away: Outgoing[] = awayText
    ? [
        {
          kind: 'message',
          purpose: 'reply',
          channel: message.channel,
          threadTs: message.threadTs ?? message.ts,
          text: awayText,
        },
      ]
    : []
  return [
    ...away,
    {
      kind: 'reaction',
      purpose: 'ack',
      channel: message.channel,
      ts: message.ts,
      name: route.reaction,
      label: route.keywords[0],
    },
    {
      kind: 'message',
      purpose: 'escalation',
      channel: route.channel,
      threadTs: null,
      text: '',
      linkTo: { channel: message.channel, ts: message.ts },
    },
  ]
}

/** In a DM nobody else would see the repost's context, so the bot says where to ask instead. */
export function directSupportReply(routes: readonly SupportRoute[]): string {
  const names = routes.map((r) => `\`${r.keywords[0]}\``).join(' or ')
  return `I can't call ${names} from a direct conversation. Please ask in a channel, mentioning ${names} there, and I'll pass it on.`
}
