// A process that runs jobs hides itself from them: it is made non-dumpable, so processes of the
// same user (a job without settings.run_as, anything else under the bot's account) cannot read
// its environment (/proc/<pid>/environ, where the Slack tokens are) or attach a debugger; and
// unless jobs switch user, no capability the service was given reaches them.
import { clearAmbientCapabilities, makeNonDumpable } from '../util/libc.ts'
import type { Logger } from '../util/log.ts'

export function guardProcess(switchesUser: boolean, log: Logger): void {
  const hidden = makeNonDumpable()
  if (!switchesUser) clearAmbientCapabilities()
  if (!hidden)
    log.warn('process.dumpable', { reason: 'prctl(PR_SET_DUMPABLE) is unavailable here' })
}
