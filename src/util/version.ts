// The bot's version, for `ebmbot version` and the chat `version` command.
export const BOT_VERSION = '0.1.0'
