#!/usr/bin/env bash
# Installs (or upgrades) ebmbot as a systemd service:
#   the binary        -> $PREFIX/bin/ebmbot                  (PREFIX=/usr/local)
#   the unit          -> /etc/systemd/system/ebmbot.service
#   the config        -> /etc/ebmbot/ebmbot.yaml             (root:ebmbot 0640; kept if present)
#   the secrets file  -> /etc/ebmbot/ebmbot.env              (root:root 0600; kept if present)
#   the user          -> ebmbot (system user, no login shell, home /var/lib/ebmbot)
#   the jobs' user    -> ebmbot-jobs (system user, no login shell, home /var/lib/ebmbot-jobs):
#                        jobs run as it (settings.run_as), so they cannot read the bot's
#                        environment, database or logs
#   the state folder  -> /var/lib/ebmbot, made by systemd (StateDirectory=ebmbot, mode 0700)
#   the jobs' folder  -> /var/lib/ebmbot-jobs (ebmbot-jobs:ebmbot-jobs 2770; the bot is in the group)
#
# Usage: sudo systemd/install.sh [BINARY]     BINARY defaults to dist/ebmbot (npm run build)
#        DESTDIR=/tmp/stage systemd/install.sh  stages the files only: no user, no chown, no systemctl
#
# It never overwrites a config or secrets file and never starts the service: fill in the secrets,
# then `systemctl start ebmbot`. Upgrading is running it again, then `systemctl restart ebmbot`
# (running jobs get settings.shutdown_grace to finish; migrations apply at start).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
binary=${1:-$repo/dist/ebmbot}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
user=ebmbot
jobs_user=ebmbot-jobs
jobs_dir=/var/lib/ebmbot-jobs

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

[ -x "$binary" ] || die "no executable at $binary; build it with 'npm run build' or pass its path"
[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || die "run as root (or set DESTDIR=folder to stage the files)"
staged() { [ -n "$DESTDIR" ]; }

nologin=$(command -v nologin || echo /usr/sbin/nologin)
if ! staged && ! id "$user" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/ebmbot --no-create-home --shell "$nologin" "$user"
  say "created system user $user"
fi
if ! staged && ! id "$jobs_user" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$jobs_dir" --no-create-home --shell "$nologin" "$jobs_user"
  say "created system user $jobs_user (jobs run as it)"
fi
owner() { staged || chown "$1" "$2"; }

# The jobs' HOME and working folders. setgid keeps the group on what the bot creates there
# (the unit gives the bot the group with SupplementaryGroups=), so both may write.
install -d -m 2770 "$DESTDIR$jobs_dir"
owner "$jobs_user:$jobs_user" "$DESTDIR$jobs_dir"
chmod 2770 "$DESTDIR$jobs_dir"


install -d -m 0755 "$DESTDIR$PREFIX/bin"
# Install beside, then rename: a running service keeps its old binary until it restarts.
install -m 0755 "$binary" "$DESTDIR$PREFIX/bin/.ebmbot.new"
mv -f "$DESTDIR$PREFIX/bin/.ebmbot.new" "$DESTDIR$PREFIX/bin/ebmbot"

install -d -m 0755 "$DESTDIR/etc/systemd/system"
sed "s|/usr/local/bin/ebmbot|$PREFIX/bin/ebmbot|g" "$here/ebmbot.service" >"$DESTDIR/etc/systemd/system/ebmbot.service"
chmod 0644 "$DESTDIR/etc/systemd/system/ebmbot.service"

install -d -m 0750 "$DESTDIR/etc/ebmbot"
owner "root:$user" "$DESTDIR/etc/ebmbot"
config="$DESTDIR/etc/ebmbot/ebmbot.yaml"
if [ ! -e "$config" ]; then
  install -m 0640 "$repo/examples/ebmbot.yaml" "$config"
  sed -i '1s|^# yaml-language-server:.*$|# ebmbot configuration; see docs/config.schema.json for every key.|' "$config"
  # The two-user layout: jobs run as ebmbot-jobs, at home in its folder.
  sed -i "/^settings:/a\\  run_as: $jobs_user\\n  jobs_dir: $jobs_dir" "$config"
  owner "root:$user" "$config"
  say "wrote the example config to /etc/ebmbot/ebmbot.yaml: replace its demo namespace with your jobs"
fi

envfile="$DESTDIR/etc/ebmbot/ebmbot.env"
if [ ! -e "$envfile" ]; then
  (umask 077 && cat >"$envfile" <<'ENV'
# ebmbot secrets and settings, read by systemd (root only, mode 0600). KEY=value, one per line.
# Slack (socket mode) runs only with both tokens:
#SLACK_APP_TOKEN=xapp-...
#SLACK_BOT_TOKEN=xoxb-...
#SLACK_LOGS_CHANNEL=bot-logs
#SLACK_TECH_SUPPORT_CHANNEL=tech-support
# GitHub webhooks and the web server (/healthz, /metrics):
#GITHUB_WEBHOOK_SECRET=...
#WEBHOOK_HOST=127.0.0.1
#WEBHOOK_PORT=9000
#WEBHOOK_ORIGIN=https://bot.example.org
# Variables your jobs list in their `env:` allowlist go here too.
ENV
  )
  say "wrote /etc/ebmbot/ebmbot.env (mode 0600): put the Slack tokens and other secrets there"
fi
# Secrets stay readable by root alone, whatever an editor or an older install left behind.
chmod 0600 "$envfile"
owner root:root "$envfile"

if ! grep -q '^  run_as:' "$config"; then
  say "note: $config has no settings.run_as: jobs run as $user and can read its environment; add"
  say "      '  run_as: $jobs_user' and '  jobs_dir: $jobs_dir' under settings: (docs/deploying.md)"
fi

if staged; then
  say "staged into $DESTDIR"
  exit 0
fi

EBMBOT_STATE_DIR=/var/lib/ebmbot "$PREFIX/bin/ebmbot" config check --config /etc/ebmbot/ebmbot.yaml >/dev/null ||
  die "/etc/ebmbot/ebmbot.yaml does not load (see above); fix it, then run install.sh again"
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable ebmbot.service >/dev/null
  say "installed and enabled; start it with: systemctl start ebmbot   (logs: journalctl -u ebmbot -f)"
else
  say "installed; systemd is not running here, so the unit was not enabled"
fi
