// The command line a run starts with: a tiny sh prelude that joins the run's cgroup before
// anything else can fork, then (with settings.run_as) drops to the jobs' user with setpriv, then
// bash runs the job's command. exec keeps one pid throughout, so the leader is the job's bash.
import type { JobUser } from './run-as.ts'

const PRELUDE = 'if [ -n "$1" ]; then echo $$ >"$1" || exit 125; fi; shift; exec "$@"'

export function jobArgv(command: string, procsFile: string | null, user?: JobUser): string[] {
  return [
    '/bin/sh',
    '-c',
    PRELUDE,
    'ebmbot-job',
    procsFile ?? '',
    ...asUser(user),
    'bash',
    '-c',
    command,
  ]
}

/** setpriv switching to the jobs' user, with no capability left to inherit. */
export function asUser(user?: JobUser): string[] {
  if (!user) return []
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--inh-caps=-all',
    '--ambient-caps=-all',
    '--',
  ]
}
