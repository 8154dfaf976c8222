// Path traversal wherever a name becomes a path: namespace and job names from the config (they
// name log folders and workspaces), the job type a run's log folder is built from, and the run
// number users type in `logs N`. Each attempt is refused; nothing outside the run's own log
// files is ever read or created.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadConfigText } from '../src/config/load.ts'
import { runLogDir } from '../src/dispatcher/log-paths.ts'
import { botEnv, runBot } from './support/bot.ts'
import { openStateDb, runs } from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

const HOSTILE_NAMES = [
  '..',
  '../x',
  '../../etc',
  'a/b',
  '/abs',
  'a.b',
  '.hidden',
  'a\\b',
  '%2e%2e',
  'a b',
  'a\nb',
  'a\u0000b',
  'é',
  '\u212aelvin',
  '~root',
  '$HOME',
  '',
]

describe('names from the config', () => {
  const load = (yaml: string) => () =>
    loadConfigText(yaml, 'hostile.yaml', { stateDir: '/tmp/unused' })
  for (const name of HOSTILE_NAMES) {
    test(`namespace ${JSON.stringify(name)} is refused at load, naming the key`, () => {
      const yaml = `namespaces:\n  ${JSON.stringify(name)}:\n    jobs:\n      j: {run: "true"}\n    commands:\n      - {pattern: go, job: j}\n`
      expect(load(yaml)).toThrow(
        /hostile\.yaml:2: namespaces\.[\s\S]*namespace must be one word of letters, digits and hyphens/,
      )
    })
    test(`job ${JSON.stringify(name)} is refused at load, naming the key`, () => {
      const yaml = `namespaces:\n  ns:\n    jobs:\n      ${JSON.stringify(name)}: {run: "true"}\n`
      expect(load(yaml)).toThrow(
        /hostile\.yaml:4: namespaces\.ns\.jobs\.[\s\S]*job must be one word of letters, digits, hyphens and underscores/,
      )
    })
  }
  test('the command line refuses such a file with exit 2 and creates nothing', async () => {
    const dir = tempDir()
    const file = writeConfig(
      dir,
      'namespaces:\n  "../../escape":\n    jobs:\n      j: {run: "true"}\n',
    )
    const r = await runBot(['config', 'check', '--config', file], {
      env: botEnv(join(dir, 'state')),
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}:2: namespaces.../../escape: namespace must be one word`)
    expect(existsSync(resolve(dir, '../escape'))).toBe(false)
  })
})

describe('log folders', () => {
  test('a job type that is not <word>_<word> never becomes a folder', () => {
    for (const jobType of [
      '../../etc_x',
      'a_../../x',
      'a_b/../../c',
      '/abs_x',
      'a_b\n',
      'a_b\u0000',
      '.._..',
      'a_',
      'a',
      '',
    ]) {
      expect(() => runLogDir('/srv/logs', jobType, 1, 0)).toThrow(/unsafe job type/)
    }
    // A job name may hold underscores (namespaces may not, so the first one ends the namespace).
    expect(runLogDir('/srv/logs', 'a_b_c', 1, 0)).toBe('/srv/logs/a_b_c/1970-01-01T00-00-00.000Z_1')
    // A run id is a number, truncated: it cannot carry a path either.
    expect(runLogDir('/srv/logs', 'op_deploy', 7.9, Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe(
      '/srv/logs/op_deploy/2026-01-02T03-04-05.006Z_7',
    )
  })

  test('a forged queue row with a traversing job type fails clearly and creates nothing outside the logs', async () => {
    const dir = tempDir()
    const state = join(dir, 'state')
    expect((await runBot(['migrate'], { env: botEnv(state) })).code).toBe(0)
    // As if someone wrote the row by hand: the dispatcher must not build a path from it.
    const db = openStateDb(state)
    db.run(`INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel, request_text, params, command)
            VALUES ('demo', 'x', '../../../escaped_x', 'pending', 0, 0, 'local', 'local', 'local', 'forged', '{}', 'touch pwned')`)
    db.close()
    const r = await runBot(['chat'], { env: botEnv(state), input: 'status\n' })
    expect(r.code).toBe(0)
    expect(runs(state)[0]).toMatchObject({ state: 'failed', stdout_path: null })
    expect(r.stdout).toContain('could not run (run 1)')
    expect(existsSync(join(dir, 'escaped_x'))).toBe(false)
    expect(existsSync(resolve(state, 'logs', '../../../escaped_x'))).toBe(false)
    expect(existsSync(join(state, 'workspace', 'demo', 'pwned'))).toBe(false)
  })
})

describe('run numbers typed in chat', () => {
  test('`logs` reads only a run’s own files; traversal attempts get a reply and read nothing', async () => {
    const dir = tempDir()
    const state = join(dir, 'state')
    // Canaries where a traversal would land: beside the database, above the state folder, in /tmp.
    mkdirSync(state, { recursive: true })
    const canary = 'CANARY-' + crypto.randomUUID()
    for (const f of [
      join(state, 'stdout'),
      join(dir, 'stdout'),
      join(state, 'logs.txt'),
      join(dir, 'passwd'),
    ])
      writeFileSync(f, canary)
    const attempts = [
      'logs ../../etc/passwd',
      'logs ../passwd',
      'logs 1/../../passwd',
      'logs ..',
      'logs %2e%2e%2fpasswd',
      'logs /etc/passwd',
      'logs 1 ../../passwd',
      'logs 1 /etc/passwd',
      'logs -1',
      'logs 1e3',
      'logs 0x1',
      'logs 99999999999999999999',
      'logs 1.5',
      `logs ${dir}/passwd`,
      'logs ~/passwd',
      'logs $HOME',
      'logs 1 stdout ../../x',
      'remove job id ../1',
      'remove job id 1/..',
    ]
    const first = await runBot(['chat'], {
      env: botEnv(state),
      input: ['demo hello world', ...attempts].join('\n') + '\n',
    })
    expect(first.code).toBe(0)
    // The real run's logs, asked once it has surely ended (a piped session waits for its jobs).
    const second = await runBot(['chat'], { env: botEnv(state), input: 'logs 1\n' })
    expect(second.code).toBe(0)
    const r = { stdout: `${first.stdout}${second.stdout}` }
    expect(r.stdout).not.toContain(canary)
    expect(r.stdout).not.toContain('root:x:0:0') // /etc/passwd
    // Every attempt got an answer (a refusal, usage or "not understood"), and the real run's logs work.
    expect(
      r.stdout.match(
        /Sorry, I didn't understand|Which run|Usage|no logs|No running or scheduled job|has no run|not found/gi,
      )?.length ?? 0,
    ).toBeGreaterThanOrEqual(attempts.length)
    expect(r.stdout).toMatch(/Hello, world!\n[\s\S]*Hello, world!/) // the report, then `logs 1`
    expect(runs(state)).toHaveLength(1)
  })
})
