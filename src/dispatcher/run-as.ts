// settings.run_as: the user (and group) jobs run as, looked up once at start so a typo stops the
// bot with the reason instead of failing every run.
import { readFileSync } from 'node:fs'
import { spawnSync } from 'bun'

const CAP_SETGID = 6
const CAP_SETUID = 7

/** Whether /proc/self/status shows CAP_SETUID and CAP_SETGID in the ambient set (passed to setpriv). */
export function ambientCanSwitch(status: string): boolean {
  const hex = /^CapAmb:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  if (!hex) return false
  const caps = BigInt(`0x${hex}`)
  return ((caps >> BigInt(CAP_SETUID)) & 1n) === 1n && ((caps >> BigInt(CAP_SETGID)) & 1n) === 1n
}

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
  if (process.getuid?.() !== 0 && !ambientCanSwitch(readFileSync('/proc/self/status', 'utf8')))
    throw new Error(
      'settings.run_as needs CAP_SETUID and CAP_SETGID passed on to child processes: give the unit AmbientCapabilities=CAP_SETUID CAP_SETGID (systemd/ebmbot.service does), or run the bot as root',
    )
  return { name: pw.name, uid: pw.id, gid, home: pw.home }
}
