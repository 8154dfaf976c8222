// systemd packaging: the unit is valid to systemd itself (when systemd-analyze is installed), keeps
// the promises the docs make (own user, state directory, secrets file, restart, graceful stop,
// hardening), and install.sh lays files out with the right owners and modes, keeping an existing
// config and secrets on upgrade. The bot finds its state where systemd says (STATE_DIRECTORY).
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { settingsSchema } from '../src/config/schema.ts'
import { botEnv, runBot } from './support/bot.ts'
import { cleanupTemp, REPO, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const UNIT = join(REPO, 'systemd', 'ebmbot.service')
const INSTALL = join(REPO, 'systemd', 'install.sh')
const has = (tool: string) => Bun.spawnSync(['bash', '-c', `command -v ${tool}`]).exitCode === 0
const isRoot = process.getuid?.() === 0

/** The [Service] section as key -> values (a key may repeat). */
function serviceKeys(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let section = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    if (line.startsWith('[')) section = line
    else if (section === '[Service]') {
      const i = line.indexOf('=')
      const key = line.slice(0, i)
      out.set(key, [...(out.get(key) ?? []), line.slice(i + 1)])
    }
  }
  return out
}

/** A copy of the unit whose ExecStart names an executable that exists here (verify checks it). */
function unitForVerify(): string {
  const dir = tempDir()
  const stub = join(dir, 'ebmbot')
  writeFileSync(stub, '#!/bin/sh\nexit 0\n')
  chmodSync(stub, 0o755)
  const file = join(dir, 'ebmbot.service')
  writeFileSync(file, readFileSync(UNIT, 'utf8').replaceAll('/usr/local/bin/ebmbot', stub))
  return file
}

describe('systemd/ebmbot.service', () => {
  test.skipIf(!has('systemd-analyze'))(
    'systemd-analyze verify accepts it without a single warning',
    () => {
      const r = Bun.spawnSync(['systemd-analyze', 'verify', '--man=no', unitForVerify()], {
        stdout: 'pipe',
        stderr: 'pipe',
      })
      // verify exits 0 even for unknown keys or bad values: any output is a finding.
      expect({
        code: r.exitCode,
        output: (r.stdout.toString() + r.stderr.toString()).trim(),
      }).toEqual({ code: 0, output: '' })
    },
  )

  test.skipIf(!has('systemd-analyze'))(
    'its exposure score is below 3.7, the score before jobs ran as their own user (systemd-analyze security)',
    () => {
      const r = Bun.spawnSync(['systemd-analyze', 'security', '--offline=yes', unitForVerify()], {
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const score = /Overall exposure level for ebmbot\.service: ([\d.]+)/.exec(
        r.stdout.toString() + r.stderr.toString(),
      )?.[1]
      if (score === undefined) return // an older systemd without --offline: nothing to compare
      expect(Number(score)).toBeLessThan(3.7)
    },
  )

  test('runs the binary as its own user, with a state directory, a secrets file and journald logs', () => {
    const k = serviceKeys(readFileSync(UNIT, 'utf8'))
    expect(k.get('User')).toEqual(['ebmbot'])
    expect(k.get('StateDirectory')).toEqual(['ebmbot'])
    expect(k.get('ExecStart')).toEqual([
      '/usr/local/bin/ebmbot serve --config /etc/ebmbot/ebmbot.yaml',
    ])
    expect(k.get('EnvironmentFile')).toEqual(['/etc/ebmbot/ebmbot.env'])
    expect(k.get('Restart')).toEqual(['on-failure'])
    expect(k.get('StandardError')).toEqual(['journal'])
    // Secrets only ever come from the environment file: none on a command line or in the unit.
    for (const [key, values] of k) {
      if (key === 'EnvironmentFile') continue
      for (const v of values) expect(v).not.toMatch(/TOKEN|SECRET|xox[abp]-|xapp-/)
    }
  })

  test('is Type=notify with a watchdog, and reloads with SIGHUP to the main process', () => {
    const k = serviceKeys(readFileSync(UNIT, 'utf8'))
    expect(k.get('Type')).toEqual(['notify'])
    expect(k.get('NotifyAccess')).toEqual(['main'])
    // The bot feeds the watchdog at half this interval; a hung event loop gets restarted.
    expect(Number(/^(\d+)s$/.exec(k.get('WatchdogSec')?.[0] ?? '')?.[1])).toBeGreaterThanOrEqual(10)
    expect(k.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID'])
  })

  test('stops gracefully: SIGTERM to the bot alone, for longer than the bot’s own grace periods', () => {
    const k = serviceKeys(readFileSync(UNIT, 'utf8'))
    expect(k.get('KillSignal')).toEqual(['SIGTERM'])
    // Not control-group: systemd would signal the jobs too and cut them short.
    expect(k.get('KillMode')).toEqual(['mixed'])
    const defaults = settingsSchema.parse({})
    const stopSec = Number(/^(\d+)s$/.exec(k.get('TimeoutStopSec')?.[0] ?? '')?.[1])
    expect(stopSec).toBeGreaterThan(defaults.shutdown_grace + defaults.kill_grace)
  })

  test('is hardened', () => {
    const k = serviceKeys(readFileSync(UNIT, 'utf8'))
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      PrivateTmp: 'yes',
      ProtectHome: 'read-only',
      // Switching to the jobs' user and nothing else (no CAP_KILL, no CAP_SYS_ADMIN...).
      CapabilityBoundingSet: 'CAP_SETUID CAP_SETGID',
      AmbientCapabilities: 'CAP_SETUID CAP_SETGID',
      StateDirectoryMode: '0700',
      SupplementaryGroups: 'ebmbot-jobs',
      Delegate: 'yes',
      SystemCallFilter: '@system-service',
    })) {
      expect({ key, value: k.get(key) }).toEqual({ key, value: [value] })
    }
    // Bun's JIT needs writable code pages: this setting would crash the bot at start.
    expect(k.has('MemoryDenyWriteExecute')).toBe(false)
  })
})

describe('systemd/install.sh', () => {
  const stubBinary = () => {
    const file = join(tempDir(), 'ebmbot')
    writeFileSync(file, '#!/bin/sh\nexit 0\n')
    chmodSync(file, 0o755)
    return file
  }
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8)
  const install = (args: string[], env: Record<string, string>) =>
    Bun.spawnSync(['bash', INSTALL, ...args], {
      env: { PATH: process.env.PATH!, ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    })

  test('stages binary, unit, config and a 0600 secrets file; a rerun keeps config and secrets', () => {
    const dest = tempDir()
    const r = install([stubBinary()], { DESTDIR: dest, PREFIX: '/opt/ebmbot' })
    expect({ code: r.exitCode, err: r.stderr.toString() }).toEqual({ code: 0, err: '' })
    expect(mode(join(dest, 'opt/ebmbot/bin/ebmbot'))).toBe('755')
    expect(mode(join(dest, 'etc/ebmbot'))).toBe('750')
    expect(mode(join(dest, 'etc/ebmbot/ebmbot.yaml'))).toBe('640')
    expect(mode(join(dest, 'etc/ebmbot/ebmbot.env'))).toBe('600')
    expect(readFileSync(join(dest, 'etc/systemd/system/ebmbot.service'), 'utf8')).toContain(
      'ExecStart=/opt/ebmbot/bin/ebmbot serve --config /etc/ebmbot/ebmbot.yaml',
    )
    expect(readFileSync(join(dest, 'etc/ebmbot/ebmbot.yaml'), 'utf8')).toContain('namespaces:')
    // The two-user layout: jobs run as ebmbot-jobs, at home in their own folder.
    expect(readFileSync(join(dest, 'etc/ebmbot/ebmbot.yaml'), 'utf8')).toContain(
      'settings:\n  run_as: ebmbot-jobs\n  jobs_dir: /var/lib/ebmbot-jobs\n',
    )
    expect((statSync(join(dest, 'var/lib/ebmbot-jobs')).mode & 0o7777).toString(8)).toBe('2770')

    writeFileSync(join(dest, 'etc/ebmbot/ebmbot.yaml'), 'namespaces: {}\n')
    writeFileSync(join(dest, 'etc/ebmbot/ebmbot.env'), 'SLACK_BOT_TOKEN=xoxb-mine\n')
    chmodSync(join(dest, 'etc/ebmbot/ebmbot.env'), 0o644) // as a careless editor might leave it
    expect(install([stubBinary()], { DESTDIR: dest, PREFIX: '/opt/ebmbot' }).exitCode).toBe(0)
    expect(readFileSync(join(dest, 'etc/ebmbot/ebmbot.yaml'), 'utf8')).toBe('namespaces: {}\n')
    expect(readFileSync(join(dest, 'etc/ebmbot/ebmbot.env'), 'utf8')).toBe(
      'SLACK_BOT_TOKEN=xoxb-mine\n',
    )
    expect(mode(join(dest, 'etc/ebmbot/ebmbot.env'))).toBe('600')
  })

  test('refuses a missing binary', () => {
    const r = install(['/nonexistent/ebmbot'], { DESTDIR: tempDir() })
    expect(r.exitCode).toBe(1)
    expect(r.stderr.toString()).toContain('no executable at /nonexistent/ebmbot')
  })

  // The real thing as root, inside a private mount namespace whose /etc and /usr/local are
  // overlays that vanish afterwards: the user is created and ownerships are set.
  const canOverlay =
    isRoot &&
    has('unshare') &&
    has('useradd') &&
    Bun.spawnSync([
      'unshare',
      '-m',
      'bash',
      '-c',
      'd=$(mktemp -d) && mkdir $d/u $d/w $d/m && mount -t overlay o -o lowerdir=/etc,upperdir=$d/u,workdir=$d/w $d/m; r=$?; umount $d/m 2>/dev/null; rm -rf $d; exit $r',
    ]).exitCode === 0
  test.skipIf(!canOverlay)(
    'as root: creates the ebmbot user and sets owners (on throwaway overlays)',
    () => {
      const scratch = tempDir()
      const script = `set -e
      mount --make-rprivate /
      for d in /etc /usr/local /var/lib; do n=$(echo $d | tr / _); mkdir -p ${scratch}/u$n ${scratch}/w$n
        mount -t overlay overlay -o lowerdir=$d,upperdir=${scratch}/u$n,workdir=${scratch}/w$n $d; done
      findmnt -t overlay /etc >/dev/null && findmnt -t overlay /usr/local >/dev/null && findmnt -t overlay /var/lib >/dev/null
      bash ${INSTALL} ${stubBinary()} >/dev/null
      id -u ebmbot >/dev/null
      stat -c '%U:%G %a %n' /etc/ebmbot /etc/ebmbot/ebmbot.yaml /etc/ebmbot/ebmbot.env /usr/local/bin/ebmbot
      getent passwd ebmbot | cut -d: -f6,7
      stat -c '%U:%G %a %n' /var/lib/ebmbot-jobs
      getent passwd ebmbot-jobs | cut -d: -f6,7`
      const r = Bun.spawnSync(['unshare', '-m', 'bash', '-c', script], {
        stdout: 'pipe',
        stderr: 'pipe',
      })
      expect({ code: r.exitCode, err: r.stderr.toString() }).toEqual({ code: 0, err: '' })
      const lines = r.stdout.toString().trim().split('\n')
      expect(lines.slice(0, 4)).toEqual([
        'root:ebmbot 750 /etc/ebmbot',
        'root:ebmbot 640 /etc/ebmbot/ebmbot.yaml',
        'root:root 600 /etc/ebmbot/ebmbot.env',
        'root:root 755 /usr/local/bin/ebmbot',
      ])
      expect(lines[4]).toMatch(/^\/var\/lib\/ebmbot:.*nologin$/)
      expect(lines[5]).toBe('ebmbot-jobs:ebmbot-jobs 2770 /var/lib/ebmbot-jobs')
      expect(lines[6]).toMatch(/^\/var\/lib\/ebmbot-jobs:.*nologin$/)
    },
  )
})

describe('state directory', () => {
  test('the bot keeps its database in STATE_DIRECTORY, the first one when systemd passes several', async () => {
    const dir = tempDir()
    const { EBMBOT_STATE_DIR: _, ...env } = botEnv('unused')
    const r = await runBot(['migrate'], {
      env: { ...env, STATE_DIRECTORY: `${dir}/state:${dir}/other` },
      cwd: dir,
    })
    expect(r.code).toBe(0)
    expect(existsSync(join(dir, 'state', 'ebmbot.db'))).toBe(true)
    expect(existsSync(join(dir, 'other'))).toBe(false)
  })
})
