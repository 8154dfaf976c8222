// The bot's version, for `ebmbot --version`, the chat `version` command and the metrics' build
// info: package.json's, embedded at build time.
import pkg from '../../package.json' with { type: 'json' }

export const BOT_VERSION: string = pkg.version
