#!/usr/bin/env bash
# A site deploy as an ebmbot job: fetch a ref, build it in a fresh release folder, switch the
# `current` symlink, restart, check health, and roll back to the previous release if the check
# fails. `deploy.sh rollback` switches back by hand. One deploy at a time per site (a lock), so
# a manual run on the host and the bot cannot interleave.
#
# Settings (the job's `env` allowlist passes them from the bot's environment file):
#   SITE_REPO     git URL or path to deploy from (required)
#   SITE_ROOT     holds releases/ and the current -> releases/<id> symlink (required)
#   SITE_BUILD    build command, run in the release folder (default: npm ci && npm run build)
#   SITE_RESTART  restart command (default: systemctl restart site.service; the bot runs without
#                 sudo, so a polkit rule lets it restart that one unit: docs/troubleshooting.md)
#   SITE_HEALTH   health check, tried once a second (default: curl -fsS --max-time 5 http://127.0.0.1:8000/healthz)
#   SITE_HEALTH_TRIES  how many times before the release counts as broken (default 30)
#   SITE_KEEP     releases kept (default 5)
set -euo pipefail

: "${SITE_REPO:?set SITE_REPO}" "${SITE_ROOT:?set SITE_ROOT}"
build=${SITE_BUILD:-'npm ci && npm run build'}
restart=${SITE_RESTART:-'systemctl restart site.service'}
health=${SITE_HEALTH:-'curl -fsS --max-time 5 http://127.0.0.1:8000/healthz'}
keep=${SITE_KEEP:-5}
tries=${SITE_HEALTH_TRIES:-30}
releases=$SITE_ROOT/releases
mkdir -p "$releases"

# The lock: a second deploy (another host sharing SITE_ROOT, or someone on the host) fails at
# once rather than waiting behind, or worse interleaving with, this one.
exec 9>"$SITE_ROOT/.deploy.lock"
if ! flock -n 9; then
  echo "another deploy of $SITE_ROOT is running; try again when it is done" >&2
  exit 75
fi

switch_to() { # atomically: a new symlink renamed over the old one
  ln -sfn "$1" "$SITE_ROOT/current.new"
  mv -T "$SITE_ROOT/current.new" "$SITE_ROOT/current"
}

healthy() {
  for i in $(seq 1 "$tries"); do
    if bash -c "$health" >/dev/null 2>&1; then return 0; fi
    [ "$i" -lt "$tries" ] && sleep 1
  done
  return 1
}

previous=$(readlink "$SITE_ROOT/current" 2>/dev/null || true)

if [ "${1:-}" = rollback ]; then
  # The newest release older than the current one (release ids sort by time).
  target=$(ls -1d "$releases"/*/ 2>/dev/null | sed 's:/$::' | sort | awk -v cur="$previous" '$0 < cur' | tail -n 1)
  if [ -z "$target" ]; then echo "no earlier release to roll back to" >&2; exit 1; fi
  switch_to "$target"
  bash -c "$restart"
  healthy || { echo "rolled back to $(basename "$target"), but it is not healthy either" >&2; exit 1; }
  echo "rolled back to $(basename "$target")"
  exit 0
fi

ref=${1:-main}
id=$(date -u +%Y%m%dT%H%M%SZ)
dir=$releases/$id
echo "fetching $ref"
git clone --quiet --depth 1 --branch "$ref" -- "$SITE_REPO" "$dir"
sha=$(git -C "$dir" rev-parse --short HEAD)
echo "building $ref ($sha)"
(cd "$dir" && bash -c "$build")

echo "switching to $id ($sha)"
switch_to "$dir"
bash -c "$restart"
if ! healthy; then
  echo "$id ($sha) failed its health check; rolling back" >&2
  if [ -n "$previous" ]; then
    switch_to "$previous"
    bash -c "$restart"
    echo "rolled back to $(basename "$previous")" >&2
  fi
  exit 1
fi

# Old releases go, newest first kept; the one now current is always among them.
ls -1d "$releases"/*/ | sed 's:/$::' | sort | head -n -"$keep" | xargs -r rm -rf --
echo "deployed $ref ($sha) as $id"
