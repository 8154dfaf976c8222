// settings.run_as: the user (and group) jobs run as, looked up once at start so a typo stops the
// bot with the reason instead of failing every run.
import { spawnSync } from 'bun'

export interface JobUser {
  name: string
  uid: number
  gid: number
  home: string
}

/** One passwd or group line from getent: name:x:id:... (home is field 6 of passwd). */
export function parseEntry(
  line: string,
): { name: string; id: number; gid: number; home: string } | null {
  const f = line.trim().split(':')
  const id = Number(f[2])
  if (f.length < 3 || !f[0] || !Number.isInteger(id)) return null
  return { name: f[0], id, gid: Number(f[3]), home: f[5] ?? '' }
}

function getent(db: 'passwd' | 'group', key: string): string | null {
  try {
    const r = spawnSync(['getent', db, key], { stdout: 'pipe', stderr: 'ignore' })
    return r.exitCode === 0 ? r.stdout.toString() : null
  } catch {
    return null
  }
}

export function resolveJobUser(user: string, group?: string): JobUser {
  const pw = parseEntry(getent('passwd', user) ?? '')
  if (!pw) throw new Error(`settings.run_as: there is no user ${JSON.stringify(user)} on this host`)
  let gid = pw.gid
  if (group !== undefined) {
    const gr = parseEntry(getent('group', group) ?? '')
    if (!gr)
      throw new Error(`settings.run_as: there is no group ${JSON.stringify(group)} on this host`)
    gid = gr.id
  }
  if (pw.id === 0)
    throw new Error('settings.run_as names root: jobs would have every power the bot lacks')
  return { name: pw.name, uid: pw.id, gid, home: pw.home }
}
