// Folders jobs work in (their HOME and working folders), outside the bot's state folder. With
// settings.run_as they belong to the jobs' user: a root bot hands over what it creates; a bot
// without that power relies on install.sh having made them.
import { chownSync, mkdirSync } from 'node:fs'
import type { JobUser } from './run-as.ts'

export function prepareJobDir(dir: string, user?: JobUser): void {
  const made = mkdirSync(dir, { recursive: true, mode: 0o750 })
  if (!made || !user || process.getuid?.() !== 0) return
  // Every folder mkdir created, from the first new one down to `dir`.
  for (let d = dir; d.length >= made.length; d = d.slice(0, d.lastIndexOf('/')))
    chownSync(d, user.uid, user.gid)
}
