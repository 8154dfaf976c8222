// examples/deploy.sh and deploy.yaml as a team would run them: a real git repository, real
// releases and symlink switches, a health check that fails and rolls back, the lock refusing a
// second deploy, a rollback by hand, and `site deploy main` through the bot itself.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import { basename, join } from 'node:path'
import { botEnv, runBot } from './support/bot.ts'
import { cleanupTemp, REPO, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const SCRIPT = join(REPO, 'examples', 'deploy.sh')

const sh = (cmd: string, cwd: string) => {
  const r = Bun.spawnSync(['bash', '-c', cmd], { cwd, stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`)
}

/** A repository whose `main` is healthy and whose `broken` branch is not. */
function site() {
  const dir = tempDir()
  const repo = join(dir, 'repo')
  sh(
    [
      `git init -q -b main ${repo}`,
      `cd ${repo}`,
      'git config user.email t@example.org && git config user.name t',
      'echo v1 > version && touch healthy && git add . && git commit -qm v1',
      'git checkout -qb broken && git rm -q healthy && echo v2 > version && git commit -qam v2',
      'git checkout -q main',
    ].join(' && '),
    dir,
  )
  const root = join(dir, 'site')
  const env = {
    PATH: process.env.PATH!,
    HOME: dir,
    SITE_REPO: repo,
    SITE_ROOT: root,
    SITE_BUILD: 'cat version > built.txt',
    SITE_RESTART: 'echo restart >> "$SITE_ROOT/restarts.log"',
    SITE_HEALTH: 'test -f "$SITE_ROOT/current/healthy"',
    SITE_HEALTH_TRIES: '2',
  }
  const deploy = (...args: string[]) => {
    const r = Bun.spawnSync(['bash', SCRIPT, ...args], { env, stdout: 'pipe', stderr: 'pipe' })
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
  }
  const current = () => basename(readlinkSync(join(root, 'current')))
  const restarts = () => readFileSync(join(root, 'restarts.log'), 'utf8').trim().split('\n').length
  return { dir, repo, root, env, deploy, current, restarts }
}

describe('examples/deploy.sh', () => {
  test('fetches, builds in a new release, switches current and restarts', () => {
    const s = site()
    const r = s.deploy('main')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^deployed main \([0-9a-f]+\) as \d{8}T\d{6}Z$/m)
    expect(readFileSync(join(s.root, 'current', 'built.txt'), 'utf8')).toBe('v1\n')
    expect(s.restarts()).toBe(1)
  })

  test('a release that fails its health check is rolled back to the previous one', async () => {
    const s = site()
    expect(s.deploy('main').code).toBe(0)
    const good = s.current()
    await Bun.sleep(1100) // release ids are per second
    const r = s.deploy('broken')
    expect(r.code).toBe(1)
    expect(r.err).toContain('failed its health check; rolling back')
    expect(r.err).toContain(`rolled back to ${good}`)
    expect(s.current()).toBe(good)
    expect(s.restarts()).toBe(3) // good, broken, good again
  })

  test('a second deploy while one holds the lock is refused at once (exit 75), changing nothing', () => {
    const s = site()
    expect(s.deploy('main').code).toBe(0)
    const before = s.current()
    const holder = Bun.spawn(['flock', join(s.root, '.deploy.lock'), 'sleep', '3'])
    try {
      Bun.sleepSync(200)
      const r = s.deploy('main')
      expect(r.code).toBe(75)
      expect(r.err).toContain('another deploy of')
      expect(s.current()).toBe(before)
    } finally {
      holder.kill()
    }
  })

  test('rollback by hand switches to the release before the current one', async () => {
    const s = site()
    expect(s.deploy('main').code).toBe(0)
    const first = s.current()
    await Bun.sleep(1100)
    sh('echo v3 > version && git commit -qam v3', s.repo)
    expect(s.deploy('main').code).toBe(0)
    expect(s.current()).not.toBe(first)
    const r = s.deploy('rollback')
    expect(r.code).toBe(0)
    expect(r.out.trim()).toBe(`rolled back to ${first}`)
    expect(s.current()).toBe(first)
    // Nothing older is left: a second rollback says so rather than going forward again.
    const again = s.deploy('rollback')
    expect(again.code).toBe(1)
    expect(again.err).toContain('no earlier release to roll back to')
    expect(s.current()).toBe(first)
  })

  test('`site deploy main` through the bot runs the script with the allowlisted settings', async () => {
    const s = site()
    const r = await runBot(['chat', '--config', join(REPO, 'examples', 'deploy.yaml')], {
      env: botEnv(join(s.dir, 'state'), s.env),
      input: 'site deploy main\nsite deploy --force\n',
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('`site_deploy` succeeded')
    expect(r.stdout).toContain('does not fit [ref]')
    expect(existsSync(join(s.root, 'current', 'built.txt'))).toBe(true)
  })
})
