// `ebmbot slack manifest`: the Slack app manifest for "Create New App → From a manifest", built
// from the lists in app-needs.ts: socket mode, the bot events, the bot scopes, interactivity
// (buttons) and the messages tab (DMs).
import type { Config } from '../config/types.ts'
import { configuredGroups } from './groups.ts'
import { BOT_EVENTS, BOT_METHODS, OPTIONAL_METHODS, SLASH_COMMAND } from './app-needs.ts'

export interface ManifestOptions {
  /** the bot's name in Slack (SLACK_APP_USERNAME), default ebmbot */
  name?: string
}

/** The bot scopes this config needs: every event's and every method's, less unused optional ones. */
export function botScopes(config: Config): string[] {
  const wantsGroups = configuredGroups(config).length > 0
  const scopes = new Set<string>()
  for (const s of [...Object.values(BOT_EVENTS).flat(), ...SLASH_COMMAND.scopes]) scopes.add(s)
  for (const [method, s] of Object.entries(BOT_METHODS))
    if (!OPTIONAL_METHODS.has(method) || (method === 'usergroups.users.list' && wantsGroups))
      for (const one of s) scopes.add(one)
  return [...scopes].sort()
}

export function slackManifest(config: Config, opts: ManifestOptions = {}) {
  const name = opts.name ?? 'ebmbot'
  return {
    display_information: {
      name,
      description: 'Runs the team’s jobs from Slack and reports back in the thread',
    },
    features: {
      app_home: {
        home_tab_enabled: false,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: false,
      },
      bot_user: { display_name: name, always_online: true },
      slash_commands: [
        {
          command: SLASH_COMMAND.command,
          description: SLASH_COMMAND.description,
          usage_hint: SLASH_COMMAND.usage_hint,
          should_escape: SLASH_COMMAND.should_escape,
        },
      ],
    },
    oauth_config: { scopes: { bot: botScopes(config) } },
    settings: {
      event_subscriptions: { bot_events: Object.keys(BOT_EVENTS) },
      interactivity: { is_enabled: true },
      org_deploy_enabled: false,
      socket_mode_enabled: true,
      token_rotation_enabled: false,
    },
  }
}
