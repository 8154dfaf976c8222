// Signals for a run's processes. Jobs running as another user (settings.run_as) cannot be
// signalled by the bot directly without CAP_KILL, which would let it signal anything on the
// host; kill(1) run as the jobs' user (setpriv, the same power that starts them) does it instead.
import { spawnSync } from 'bun'
import { asUser } from './job-argv.ts'
import type { JobUser } from './run-as.ts'
import type { Signaller } from './run-box.ts'

export function signallerFor(user?: JobUser): Signaller {
  return (pids, signal) => {
    const refused: number[] = []
    for (const pid of pids) {
      try {
        process.kill(pid, signal)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPERM') refused.push(pid)
      }
    }
    if (!refused.length || !user) return
    spawnSync(
      [...asUser(user), 'kill', '-s', signal.replace(/^SIG/, ''), '--', ...refused.map(String)],
      {
        stdout: 'ignore',
        stderr: 'ignore',
      },
    )
  }
}
