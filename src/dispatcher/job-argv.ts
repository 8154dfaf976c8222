// The command line a run starts with. The job's first process joins the run's cgroup before
// anything else can fork. Without settings.run_as that is bash itself: its script begins with
// the join, on the command's first line so bash's line numbers stay the command's own, and one
// exec is all a start costs (a separate sh prelude took 0.6-0.8 ms more). With settings.run_as
// the join must happen as the bot's user, before setpriv drops to the jobs' user: a tiny sh
// prelude does it, then execs setpriv and bash. Either way the leader's pid is the job's bash.
import { shellQuote } from '../syntax/template.ts'
import type { JobUser } from './run-as.ts'

const PRELUDE = 'if [ -n "$1" ]; then echo $$ >"$1" || exit 125; fi; shift; exec "$@"'

/** The first command of a job's script: its own pid into the run's cgroup, or exit 125. */
const joinCgroup = (procsFile: string) => `{ echo $$ >${shellQuote(procsFile)} || exit 125; }; `

export function jobArgv(command: string, procsFile: string | null, user?: JobUser): string[] {
  if (!user) return ['bash', '-c', procsFile ? joinCgroup(procsFile) + command : command]
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
