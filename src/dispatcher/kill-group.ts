// Stopping a job: SIGTERM to its whole process group, SIGKILL after the grace period, then wait
// until the group is gone, so grandchildren (a `sleep` under bash) die with it.
import { groupAlive } from './proc.ts'

const signal = (pgid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(-pgid, sig)
  } catch {
    // already gone
  }
}

export async function killGroup(
  pgid: number,
  graceMs: number,
): Promise<'terminated' | 'killed' | 'gone'> {
  if (!groupAlive(pgid)) return 'gone'
  signal(pgid, 'SIGTERM')
  if (await waitGone(pgid, graceMs)) return 'terminated'
  signal(pgid, 'SIGKILL')
  await waitGone(pgid, 10_000)
  return 'killed'
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (!groupAlive(pgid)) return true
    await Bun.sleep(25)
  }
  return !groupAlive(pgid)
}
