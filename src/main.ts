#!/usr/bin/env bun
// ebmbot command line: serve, chat, migrate, config check|import|schema|docs, explain. Exit codes: 0 success,
// 1 runtime failure, 2 bad usage or invalid config; errors on stderr, one line each.
import { BOT_VERSION } from './util/version.ts'
import { join } from 'node:path'
import { createContext } from './service/create-context.ts'
import { explain } from './app/explain.ts'
import { serve } from './service/serve.ts'
import { configSummary } from './app/summary.ts'
import { runChat } from './chat/chat-session.ts'
import { readEnvironment, secretValues } from './config/env.ts'
import { ConfigError } from './config/errors.ts'
import { configReference } from './config/docs.ts'
import { jsonSchema } from './config/schema.ts'
import { importConfig } from './import/import-config.ts'
import { ImportError } from './import/import-error.ts'
import { resolveConfig } from './config/source.ts'
import { openQueue } from './queue/db.ts'
import { createLogger, errorText } from './util/log.ts'

const USAGE = `usage: ebmbot <command> [--config FILE]

commands:
  chat              talk to the bot in this terminal (local chat mode; reads stdin when piped)
  serve             run the bot: dispatcher, Slack (with tokens) and webhook server
  migrate           apply database migrations and exit
  config check      validate the config and print a summary
  config import FILE.py [--workspace DIR] [--queue OLD.db]
                    convert a Python ebmbot job_configs.py to this bot's YAML (printed);
                    --queue carries its scheduled jobs and suppressions into the state folder
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
  const paths: { workspace?: string; queue?: string } = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const named = /^--(workspace|queue)(?:=(.*))?$/.exec(a)
    if (a === '--config' || a === '-c') {
      config = argv[++i]
      if (!config) throw new UsageError('--config needs a file')
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length)
    else if (named) {
      const v = named[2] ?? argv[++i]
      if (!v) throw new UsageError(`--${named[1]} needs a path`)
      paths[named[1] as 'workspace' | 'queue'] = v
    } else if (a === '--help' || a === '-h') positional.unshift('help')
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`)
    else positional.push(a)
  }
  return { positional, config, ...paths }
}

async function main(argv: string[]): Promise<number> {
  const { positional, config: configFlag, workspace, queue } = parseArgs(argv)
  const [cmd, sub, ...rest] = positional
  const env = readEnvironment()
  const log = createLogger({ level: env.logLevel, secrets: secretValues(env) })
  const load = () => {
    const r = resolveConfig(configFlag, env)
    if (r.builtIn && cmd !== 'config')
      log.info('config.built_in', {
        note: 'using the built-in example config; pass --config FILE for yours',
      })
    // config check prints them in its summary instead
    if (cmd !== 'config')
      for (const w of r.config.warnings ?? []) log.warn('config.warning', { warning: w })
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
      if (sub === 'import') {
        const file = rest[0]
        if (!file || rest.length > 1)
          throw new UsageError('config import needs one file: ebmbot config import job_configs.py')
        try {
          const r = await importConfig({ file, workspace, queue, stateDir: env.stateDir })
          process.stdout.write(r.yaml)
          for (const n of r.notes) process.stderr.write(`ebmbot: ${n}\n`)
          return 0
        } catch (e) {
          if (!(e instanceof ImportError)) throw e
          process.stderr.write(`ebmbot: ${e.message}\n`)
          return 2
        }
      }
      throw new UsageError('config takes "check", "import", "schema" or "docs"')
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
      for (const w of config.warnings ?? []) chatLog.warn('config.warning', { warning: w })
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
