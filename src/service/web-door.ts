// Wires the web page door: its traits (it cannot post, so its answers go through Slack, or the
// terminal in local chat), the Slack lookups the access rules need (the Slack door's own guest
// and group checks), Sign in with Slack when the app's client id and secret are set.
import type { AppContext } from '../app/context.ts'
import { fetchChannelName } from '../slack/channels.ts'
import { GuestCheck } from '../slack/guests.ts'
import { configuredGroups, GroupMembership } from '../slack/groups.ts'
import { createWebClient } from '../slack/web-client.ts'
import { slackSignIn, WEB_DOOR, webPages, webSetup, type PersonFacts } from '../web/index.ts'

const NAME_TTL_MS = 5 * 60_000

/** The pages app, or undefined when the config does not enable them. */
export function webDoor(ctx: AppContext, opts: { local?: boolean } = {}) {
  const setup = webSetup(ctx)
  if (!setup) return undefined
  const botToken = ctx.env.slack.botToken
  ctx.doors.set(WEB_DOOR, { replyVia: opts.local || !botToken ? 'local' : 'slack' })
  if (setup.ephemeralKey)
    ctx.log.warn('web.ephemeral_cookie_key', {
      variable: setup.config.cookie_secret_env,
      effect: 'everyone is signed out at each restart',
    })
  if (!botToken)
    return webPages(ctx, { setup, people: async (): Promise<PersonFacts> => ({ isGuest: false }) })
  const web = createWebClient(botToken, ctx.env, ctx.log, { mode: 'fast' })
  const guests = new GuestCheck({ web, log: ctx.log })
  const groups = new GroupMembership({ web, groups: configuredGroups(ctx.config), log: ctx.log })
  const names = new Map<string, { name?: string; at: number }>()
  return webPages(ctx, {
    setup,
    people: async (user) => {
      const guest = await guests.lookup(user)
      const g = await groups.of(user)
      return {
        isGuest: guest.guest,
        guestUnknown: !guest.known,
        groups: g.groups,
        groupsUnknown: g.unknown,
      }
    },
    channelName: async (id) => {
      const hit = names.get(id)
      if (hit && Date.now() - hit.at < NAME_TTL_MS) return hit.name
      const name = /^[CG][A-Z0-9]+$/.test(id) ? await fetchChannelName(web, id, ctx.log) : undefined
      names.set(id, { name, at: Date.now() })
      return name
    },
    slack: setup.oidc ? slackSignIn({ ...setup.oidc, botToken }) : undefined,
  })
}
