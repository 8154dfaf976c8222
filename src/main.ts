#!/usr/bin/env bun
// ebmbot command line: serve, chat, migrate, config check|import|schema|docs, explain, slack
// manifest. Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid config; errors on
// stderr, one line each.
// Only what every command needs is imported here; each command loads its own modules when it
// runs, so `version` and `help` do not pay for loading the config schema, Slack, the queue or
// the web pages.
import { parseCommandLine, UsageError } from './cli/args.ts'
import { COMMAND_HELP, USAGE } from './cli/usage.ts'
import { errorText, PRIORITY } from './util/log.ts'
import { BOT_VERSION } from './util/version.ts'

/** stderr is the journal (set once the environment is read): error lines carry priority 3 */
let journal = false

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv)
  const { config: configFlag, workspace, queue } = args
  const [cmd, sub, ...rest] = args.positional
  if (args.version || cmd === 'version') {
    console.log(`ebmbot ${BOT_VERSION}`)
    return 0
  }
  if (args.help) {
    console.log((cmd && COMMAND_HELP[cmd]) || USAGE)
    return 0
  }
  if (cmd === undefined || cmd === 'help') {
    console.log((sub && COMMAND_HELP[sub]) || USAGE)
    return cmd ? 0 : 2
  }
  const [{ readEnvironment, secretValues }, { createLogger }, { resolveConfig }] =
    await Promise.all([
      import('./config/env.ts'),
      import('./util/log.ts'),
      import('./config/source.ts'),
    ])
  const env = readEnvironment()
  journal = env.journal
  const log = createLogger({ level: env.logLevel, secrets: secretValues(env), journal })
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
    case 'config':
      if (sub === 'schema') {
        const { jsonSchema } = await import('./config/schema.ts')
        console.log(JSON.stringify(jsonSchema(), null, 2))
        return 0
      }
      if (sub === 'docs') {
        const { configReference } = await import('./config/docs.ts')
        process.stdout.write(configReference())
        return 0
      }
      if (sub === 'check') {
        const { configSummary } = await import('./app/summary.ts')
        console.log(configSummary(load()))
        return 0
      }
      if (sub === 'import') {
        const file = rest[0]
        if (!file || rest.length > 1)
          throw new UsageError('config import needs one file: ebmbot config import job_configs.py')
        const [{ importConfig }, { ImportError }] = await Promise.all([
          import('./import/import-config.ts'),
          import('./import/import-error.ts'),
        ])
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
      const { explain } = await import('./app/explain.ts')
      const r = explain(load(), text)
      console.log(r.text)
      return r.matched ? 0 : 1
    }
    case 'slack': {
      if (sub !== 'manifest') throw new UsageError('slack takes "manifest"')
      const { slackManifest } = await import('./slack/manifest.ts')
      const manifest = slackManifest(load(), { name: env.slack.appUsername })
      console.log(JSON.stringify(manifest, null, 2))
      return 0
    }
    case 'migrate': {
      const { isPostgresUrl, openQueueFor, sqliteFileOf } = await import('./queue/open-queue.ts')
      if (args.to !== undefined) {
        if (!isPostgresUrl(args.to))
          throw new UsageError('--to takes a postgres:// (or postgresql://) URL')
        const { copyReport, migrateToPostgres } = await import('./service/migrate-to-postgres.ts')
        const r = await migrateToPostgres({
          sqliteFile: args.db ?? sqliteFileOf(env),
          url: args.to,
          force: args.force,
          dryRun: args.dryRun,
        })
        console.log(copyReport(r))
        return 0
      }
      if (args.db || args.force || args.dryRun)
        throw new UsageError('--db, --force and --dry-run go with --to postgres://…')
      const q = await openQueueFor(env)
      q.close()
      log.info('migrate.done', { db: q.location })
      return 0
    }
    case 'chat': {
      // In chat the terminal is for the conversation: routine logs only when asked for.
      const chatLog = createLogger({
        level: env.logLevelSet ? env.logLevel : 'warn',
        secrets: secretValues(env),
        journal,
      })
      const config = resolveConfig(configFlag, env).config
      for (const w of config.warnings ?? []) chatLog.warn('config.warning', { warning: w })
      const [{ createContext }, { startLocalPages }, { runChat }] = await Promise.all([
        import('./service/create-context.ts'),
        import('./service/local-pages.ts'),
        import('./chat/chat-session.ts'),
      ])
      const ctx = await createContext({ config, env, log: chatLog })
      const pages = startLocalPages(ctx)
      if (pages)
        process.stderr.write(
          `Run pages: ${pages.url} (sign in with the token in ${config.web!.token_env})\n`,
        )
      // Normal JIT thresholds for the session (the binary starts with them raised: see serve.ts).
      Bun.unsafe.setJITPolicy(1)
      const outcome = await runChat(ctx, {
        input: process.stdin,
        write: (t) => console.log(t),
        interactive: !!process.stdin.isTTY,
      })
      await pages?.stop()
      // Piped, the session is a script's step: a job it ran that failed fails the step.
      if (!process.stdin.isTTY && outcome.failed.length) {
        chatLog.warn('chat.jobs_failed', { runs: outcome.failed.join(',') })
        return 1
      }
      return 0
    }
    case 'serve': {
      const [{ createContext }, { serve }] = await Promise.all([
        import('./service/create-context.ts'),
        import('./service/serve.ts'),
      ])
      return serve(await createContext({ config: load(), env, log }), { load })
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (e) => {
    // Loaded here, not up front: most runs never fail (and the modules are cached by now).
    const [{ ConfigError }, { CopyRefused }, { DatabaseUrlError }] = await Promise.all([
      import('./config/errors.ts'),
      import('./queue/copy-to-postgres.ts'),
      import('./queue/open-queue.ts'),
    ])
    const err = journal ? `<${PRIORITY.error}>` : ''
    if (e instanceof ConfigError) {
      process.stderr.write(`${err}${e.message.replaceAll('\n', `\n${err}`)}\n`)
      process.exit(2)
    }
    if (e instanceof CopyRefused) {
      process.stderr.write(`${err}ebmbot: migrate: ${e.message}\n`)
      process.exit(1)
    }
    if (e instanceof DatabaseUrlError) {
      process.stderr.write(`${err}ebmbot: ${e.message}\n`)
      process.exit(2)
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ebmbot: ${e.message}\n\n${USAGE}\n`)
      process.exit(2)
    }
    process.stderr.write(`${err}level=error event=fatal error=${JSON.stringify(errorText(e))}\n`)
    process.exit(1)
  },
)
