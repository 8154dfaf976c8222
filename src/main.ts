#!/usr/bin/env bun
// ebmbot command line: serve, chat, migrate, config check|schema, explain. Exit codes: 0 success,
// 1 runtime failure, 2 bad usage or invalid config; errors on stderr, one line each.
import { BOT_VERSION } from './version.ts'
import { join } from 'node:path'
import { createContext } from './app/context.ts'
import { explain } from './app/explain.ts'
import { serve } from './app/serve.ts'
import { configSummary } from './app/summary.ts'
import { runChat } from './chat/chat-session.ts'
import { readEnvironment, secretValues } from './config/env.ts'
import { ConfigError } from './config/errors.ts'
import { configReference } from './config/docs.ts'
import { jsonSchema } from './config/schema.ts'
import { resolveConfig } from './config/source.ts'
import { openQueue } from './queue/db.ts'
import { createLogger, errorText } from './util/log.ts'

const USAGE = `usage: ebmbot <command> [--config FILE]

commands:
  chat              talk to the bot in this terminal (local chat mode; reads stdin when piped)
  serve             run the bot: dispatcher, Slack (with tokens) and webhook server
  migrate           apply database migrations and exit
  config check      validate the config and print a summary
  config schema     print the config's JSON Schema (for editors)
  config docs       print the configuration reference (Markdown)
  explain "TEXT"    show what a message would run, without running anything
  version           print the version

The config comes from --config, else EBMBOT_CONFIG, else the built-in example.
State (database, logs) lives in EBMBOT_STATE_DIR, else STATE_DIRECTORY, else ./state.`

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const positional: string[] = []
  let config: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--config' || a === '-c') {
      config = argv[++i]
      if (!config) throw new UsageError('--config needs a file')
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length)
    else if (a === '--help' || a === '-h') positional.unshift('help')
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`)
    else positional.push(a)
  }
  return { positional, config }
}

async function main(argv: string[]): Promise<number> {
  const { positional, config: configFlag } = parseArgs(argv)
  const [cmd, sub, ...rest] = positional
  const env = readEnvironment()
  const log = createLogger({ level: env.logLevel, secrets: secretValues(env) })
  const load = () => {
    const r = resolveConfig(configFlag, env)
    if (r.builtIn && cmd !== 'config')
      log.info('config.built_in', {
        note: 'using the built-in example config; pass --config FILE for yours',
      })
    return r.config
  }

  switch (cmd) {
    case undefined:
    case 'help':
      console.log(USAGE)
      return cmd ? 0 : 2
    case 'version':
      console.log(`ebmbot ${BOT_VERSION}`)
      return 0
    case 'config':
      if (sub === 'schema') {
        console.log(JSON.stringify(jsonSchema(), null, 2))
        return 0
      }
      if (sub === 'docs') {
        process.stdout.write(configReference())
        return 0
      }
      if (sub === 'check') {
        console.log(configSummary(load()))
        return 0
      }
      throw new UsageError('config takes "check", "schema" or "docs"')
    case 'explain': {
      const text = [sub, ...rest].filter((x) => x !== undefined).join(' ')
      if (!text)
        throw new UsageError(
          'explain needs the message text, e.g. ebmbot explain "demo hello world"',
        )
      console.log(explain(load(), text))
      return 0
    }
    case 'migrate': {
      const q = openQueue(join(env.stateDir, 'ebmbot.db'))
      q.sqlite.close()
      log.info('migrate.done', { db: q.file })
      return 0
    }
    case 'chat': {
      // In chat the terminal is for the conversation: routine logs only when asked for.
      const chatLog = createLogger({
        level: process.env.EBMBOT_LOG_LEVEL ? env.logLevel : 'warn',
        secrets: secretValues(env),
      })
      const config = resolveConfig(configFlag, env).config
      const ctx = createContext({ config, env, log: chatLog })
      await runChat(ctx, {
        input: process.stdin,
        write: (t) => console.log(t),
        interactive: !!process.stdin.isTTY,
      })
      return 0
    }
    case 'serve':
      return serve(createContext({ config: load(), env, log }))
    default:
      throw new UsageError(`unknown command "${cmd}"`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`)
      process.exit(2)
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ebmbot: ${e.message}\n\n${USAGE}\n`)
      process.exit(2)
    }
    process.stderr.write(`level=error event=fatal error=${JSON.stringify(errorText(e))}\n`)
    process.exit(1)
  },
)
