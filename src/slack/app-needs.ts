// What the bot asks of Slack, in one place: the events it handles and the Web API methods it
// calls, each with the scopes it needs. The app manifest is built from these lists, and a test
// checks them against the code, so the two cannot drift apart.

/** Bot events to subscribe to, and the scopes each needs. */
export const BOT_EVENTS: Record<string, readonly string[]> = {
  // Commands: mentions in channels, and every message in DMs (and group DMs, for keywords).
  app_mention: ['app_mentions:read'],
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  'message.im': ['im:history'],
  'message.mpim': ['mpim:history'],
  // The channel directory: access rules that name channels follow these changes while it runs.
  channel_created: ['channels:read'],
  channel_rename: ['channels:read'],
  group_rename: ['groups:read'],
  member_joined_channel: ['channels:read', 'groups:read'],
  member_left_channel: ['channels:read', 'groups:read'],
  channel_left: ['channels:read'],
  group_left: ['groups:read'],
  channel_archive: ['channels:read'],
  group_archive: ['groups:read'],
  channel_deleted: ['channels:read'],
  group_deleted: ['groups:read'],
  channel_unarchive: ['channels:read'],
  group_unarchive: ['groups:read'],
  channel_id_changed: ['channels:read'],
}

/** Web API methods the bot token calls, and the scopes each needs (none for some). */
export const BOT_METHODS: Record<string, readonly string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  // A refusal for a submitted params form, shown only to the person who sent it.
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.join': ['channels:join'],
  // A message in flight when the bot stopped: found by its metadata before it is posted again.
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'reactions.add': ['reactions:write'],
  'users.info': ['users:read'],
  // The params form of a slash command typed without its params (the trigger id is the permission).
  'views.open': [],
  // Only when access rules or approvers name user groups.
  'usergroups.users.list': ['usergroups:read'],
  // filesUploadV2: long output goes up as a file.
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
}

/** The slash command the app registers: `/ebmbot <command>`, answered through socket mode. */
export const SLASH_COMMAND = {
  command: '/ebmbot',
  description: 'Run an ebmbot command (help lists them)',
  usage_hint: 'demo hello world',
  should_escape: false,
  /** the bot scope a slash command needs */
  scopes: ['commands'],
} as const

/** Methods only some configs need: their scopes are asked for only then. */
export const OPTIONAL_METHODS = new Set(['usergroups.users.list'])

/** The user token (SLACK_BOT_USER_TOKEN, optional) calls only this, for the missed-message sweep. */
export const USER_METHODS: Record<string, readonly string[]> = {
  'search.messages': ['search:read'],
}
