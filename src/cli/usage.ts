// The usage texts: the overview, and one help text per command for `ebmbot <cmd> --help`.

export const USAGE = `usage: ebmbot <command> [--config FILE]

commands:
  chat              talk to the bot in this terminal (local chat mode; reads stdin when piped)
  serve             run the bot: dispatcher, Slack (with tokens) and webhook server
  migrate           apply database migrations and exit
  migrate --to postgres://… [--db FILE] [--force] [--dry-run]
                    copy the SQLite queue (history, pending, outbox, threads…) into PostgreSQL
  config check      validate the config and print a summary
  config import FILE.py [--workspace DIR] [--queue OLD.db]
                    convert a Python ebmbot job_configs.py to this bot's YAML (printed);
                    --queue carries its scheduled jobs and suppressions into the state folder
  config schema     print the config's JSON Schema (for editors)
  config docs       print the configuration reference (Markdown)
  explain "TEXT"    show what a message would run, without running anything
  slack manifest    print the Slack app manifest (paste it into "Create New App")
  version           print the version (also --version)

\`ebmbot <command> --help\` describes one command.
The config comes from --config, else EBMBOT_CONFIG, else the built-in example.
State (database, logs) lives in EBMBOT_STATE_DIR, else STATE_DIRECTORY, else ./state.
DATABASE_URL=postgres://… keeps the queue in PostgreSQL instead (several instances may share it).
Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid config.`

const CONFIG_FLAG =
  '  -c, --config FILE   the config file (else EBMBOT_CONFIG, else the built-in example)'

export const COMMAND_HELP: Record<string, string> = {
  chat: `usage: ebmbot chat [--config FILE]

Talk to the bot in this terminal: the same commands as in Slack, with jobs run here.
Piped input: every line is read (up to a \`quit\` line), the jobs those lines started are run to
their reports, and the session ends; it exits 1 when one of those jobs failed, timed out or was
lost. Interactive: \`quit\` or \`exit\` leaves.

${CONFIG_FLAG}`,
  serve: `usage: ebmbot serve [--config FILE]

Run the bot: the dispatcher, Slack (when SLACK_APP_TOKEN and SLACK_BOT_TOKEN are set) and the
webhook server (when a secret or the config asks for it). Stops gracefully on SIGTERM or SIGINT;
SIGHUP reloads the config (one that does not validate is refused, and the old one kept). Under
systemd (NOTIFY_SOCKET) it reports READY=1 once serving and feeds the watchdog (WATCHDOG_USEC).

${CONFIG_FLAG}`,
  migrate: `usage: ebmbot migrate
       ebmbot migrate --to postgres://… [--db FILE] [--force] [--dry-run]

Without --to: apply the database migrations and exit: the SQLite file in the state folder, or
the PostgreSQL database DATABASE_URL names.

With --to: copy the SQLite queue (the state folder's ebmbot.db, as serve opens it, or --db FILE)
into that PostgreSQL database: every table (run history, pending and running requests,
suppressions, the outbox, run and Metaflow threads, out of office, deliveries seen, workers,
schedule slots and pauses),
ids kept, and each id sequence moved past the highest id SQLite gave out. The PostgreSQL
migrations are applied first, in the same transaction as the copy: all of it or nothing. Prints
the rows copied per table. The SQLite file is not changed (beyond its own migrations).
Refused while a bot runs on the SQLite file, or when the PostgreSQL queue already holds rows.

  --db FILE   the SQLite queue to copy (default: ebmbot.db in the state folder)
  --force     copy into a PostgreSQL queue that holds rows: they are deleted first
  --dry-run   do the whole copy, print the counts, then roll it back: nothing is written`,
  config: `usage: ebmbot config check|import|schema|docs [--config FILE]

  check    validate the config and print a summary (exit 2 naming file, key and line when invalid)
  import FILE.py [--workspace DIR] [--queue OLD.db]
           convert a Python ebmbot job_configs.py to this bot's YAML (printed); --workspace is
           where its jobs ran, --queue carries its scheduled jobs and suppressions over
  schema   print the config's JSON Schema (for editors)
  docs     print the configuration reference (Markdown)

${CONFIG_FLAG}`,
  explain: `usage: ebmbot explain [--config FILE] [--] "TEXT"

Show what a message would run (namespace, command, params, the exact shell command) without
running or queueing anything. Exits 1 when the text matches no command. Put \`--\` before text
that starts with a dash.

${CONFIG_FLAG}`,
  slack: `usage: ebmbot slack manifest [--config FILE]

Print the Slack app manifest as JSON (socket mode, the bot events and scopes it uses,
interactivity for its buttons, DMs in the messages tab), for "Create New App → From a manifest"
at https://api.slack.com/apps. The config decides the optional scopes (usergroups:read only when
access rules or approvers name user groups); SLACK_APP_USERNAME names the bot.

${CONFIG_FLAG}`,
  version: `usage: ebmbot version

Print the version (also \`ebmbot --version\`).`,
}
