// System users for tests of running as someone else: created on demand when the tests run as
// root (useradd), else null, and the test says it is skipped for that reason.
import { spawnSync } from 'bun'

export interface TestUser {
  name: string
  uid: number
  gid: number
}

function lookup(name: string): TestUser | null {
  const r = spawnSync(['id', '-u', name], { stdout: 'pipe', stderr: 'ignore' })
  if (r.exitCode !== 0) return null
  const g = spawnSync(['id', '-g', name], { stdout: 'pipe', stderr: 'ignore' })
  return { name, uid: Number(r.stdout.toString()), gid: Number(g.stdout.toString()) }
}

export function testUser(name: string): TestUser | null {
  if (process.getuid?.() !== 0) return null
  const found = lookup(name)
  if (found) return found
  const made = spawnSync(
    [
      'useradd',
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ],
    { stdout: 'ignore', stderr: 'pipe' },
  )
  return made.exitCode === 0 ? lookup(name) : null
}

export const NOT_ROOT = 'needs root to create test users (useradd) and switch to them'
