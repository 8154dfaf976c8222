// Folders jobs work in (their HOME and working folders), outside the bot's state folder. With
// settings.run_as they must be the jobs' user's to write: a root bot hands over what it creates;
// an unprivileged bot shares them through the group of the folder install.sh made for jobs
// (setgid, so new folders keep that group), leaving them group-writable.
import { chmodSync, chownSync, mkdirSync } from 'node:fs'
import type { JobUser } from './run-as.ts'

export function prepareJobDir(dir: string, user?: JobUser): void {
  const made = mkdirSync(dir, { recursive: true, mode: 0o750 })
  if (!made || !user) return
  // Every folder mkdir created, from `dir` up to the first new one.
  for (let d = dir; d.length >= made.length; d = d.slice(0, d.lastIndexOf('/'))) {
    if (process.getuid?.() === 0) chownSync(d, user.uid, user.gid)
    else chmodSync(d, 0o2770)
  }
}
