// `ebmbot config import` on a Python ebmbot checkout written in the original's shape
// (test/fixtures/python-ebmbot): the walkthrough of docs/upgrading.md, step by step, through the
// real CLI: import, check, explain, run the imported jobs in local chat, carry the old queue over.
import { afterAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { botEnv, runBot } from './support/bot.ts'
import { GENERAL, startSlackBot, stopSlackBot } from './support/slack-bot.ts'
import { cleanupTemp, REPO, tempDir } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

afterAll(cleanupTemp)

const CHECKOUT = join(REPO, 'test', 'fixtures', 'python-ebmbot')
const JOB_CONFIGS = join(CHECKOUT, 'ebmbot', 'job_configs.py')
const WORKSPACE = join(CHECKOUT, 'workspace')

async function importIt(state: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = await runBot(['config', 'import', JOB_CONFIGS, '--workspace', WORKSPACE, ...extra], {
    env: botEnv(state, env),
  })
  const file = join(state, 'ebmbot.yaml')
  writeFileSync(file, r.stdout)
  return { ...r, file }
}

describe('the walkthrough: import, check, explain, run in local chat', () => {
  test('the converted config loads unchanged, with every namespace, job, restriction and channel', async () => {
    const state = tempDir()
    const imported = await importIt(state)
    expect(imported.code).toBe(0)
    expect(imported.stderr).toContain('evaluated with')
    expect(imported.stdout).toStartWith('# Converted from job_configs.py by `ebmbot config import`')

    const check = await runBot(['config', 'check', '--config', imported.file], {
      env: botEnv(state),
    })
    expect(check.code).toBe(0)
    expect(check.stdout).toContain('namespace hello: 5 jobs, 5 commands')
    expect(check.stdout).toContain('namespace deploy-site (restricted): 1 jobs, 4 commands')
    expect(check.stdout).toContain('namespace rota: 1 jobs, 1 commands')
    expect(check.stdout).toContain(`workdir ${join(WORKSPACE, 'hello')}`)
    expect(check.stdout).toContain('hello greet [name]  ->  schedule_job hello_greet_name')
    expect(check.stdout).toContain('max_parallel=unlimited')
    expect(check.stdout).not.toContain('warning')

    const yaml = parse(imported.stdout)
    // Reports go where the original put them: top-level for top-level commands.
    for (const ns of Object.values(yaml.namespaces) as { report_to: string }[])
      expect(ns.report_to).toBe('channel')
    const site = yaml.namespaces['deploy-site']
    expect(site).toMatchObject({
      restricted: true,
      default_channel: '#team-deploys',
      report_to: 'channel',
      fetch: [{ url: 'http://127.0.0.1:9/fabfile.py', file: 'fabfile.py' }],
    })
    expect(site.jobs.deploy).toEqual({
      run: 'echo deploying [env] from main',
      report_success: false,
    })
    expect(site.commands.map((c: { action?: string }) => c.action ?? 'schedule_job')).toEqual([
      'schedule_job',
      'cancel_job',
      'schedule_suppression',
      'cancel_suppression',
    ])
    expect(yaml.namespaces.hello.commands[1]).toEqual({
      pattern: 'greet everyone',
      help: 'greet everyone, after a second',
      job: 'greet_all',
      delay_seconds: 1,
    })
    // The tuple help text is joined; the remark says so.
    expect(yaml.namespaces.hello.commands[3].help).toBe('show every target. This may be long.')
    expect(imported.stdout).toContain('# its help was a tuple of strings: joined')
    // The out-of-office commands become the built-in, which the remark names.
    expect(yaml.namespaces.techsupport).toMatchObject({ restricted: true, commands: [] })
    expect(imported.stdout).toContain('#   techsupport ooo on from [start_date] to [end_date]')
    expect(imported.stderr).toContain('replaced by the built-in out-of-office command')
  })

  test('explain shows which command a text runs: a literal word beats a placeholder', async () => {
    const state = tempDir()
    const { file } = await importIt(state)
    const all = await runBot(['explain', 'hello show all', '--config', file], {
      env: botEnv(state),
    })
    expect(all.stdout).toContain('hello_show_all')
    const one = await runBot(['explain', 'hello show ebmdatalab', '--config', file], {
      env: botEnv(state),
    })
    expect(one.stdout).toContain("echo showing 'ebmdatalab'")
  })

  test('imported jobs run in local chat: Python scripts import workspace modules and the bot settings, and get their variables', async () => {
    const state = tempDir()
    const { file } = await importIt(state)
    const env = botEnv(state, { GREETING_STYLE: 'Howdy', SLACK_APP_USERNAME: 'ebmbot' })
    const r = await runBot(['chat', '--config', file], {
      env,
      input:
        'hello greet Ada Lovelace\nrota report\nhello show all\nhello greet everyone\nhello quiet\n',
    })
    expect(r.stderr).not.toContain('ModuleNotFoundError')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Howdy, Ada Lovelace!')
    expect(r.stdout).toContain('Alice is on duty (ask @ebmbot)')
    expect(r.stdout).toContain('showing everything')
    expect(r.stdout).toContain('Howdy, everyone!')
    expect(r.stdout).not.toContain('hello_quiet` succeeded')
    expect(r.stdout).not.toMatch(/failed|could not run/)
  })
})

describe('switched over: the imported config served to Slack', () => {
  test(
    'a top-level command is reported top-level in its channel, as the original did',
    async () => {
      const state = tempDir()
      const { stdout } = await importIt(state)
      const s = await startSlackBot({ yaml: stdout, env: { SLACK_APP_USERNAME: 'ebmbot' } })
      try {
        const ask = s.fake.mention({ user: 'U1', channel: GENERAL, text: 'rota report' })
        await s.fake.sendEvent(ask).acked
        const report = await s.fake.waitFor(
          () =>
            s.fake.messages.find(
              (m) =>
                m.channel === GENERAL &&
                JSON.stringify(m.blocks ?? []).includes('Alice is on duty'),
            ),
          10_000,
          'the rota report',
        )
        expect(report.thread_ts).toBeUndefined()
      } finally {
        await stopSlackBot(s)
      }
    },
    HOOK_TIMEOUT + 20_000,
  )
})

describe('reading the file', () => {
  test('without python3 the file is read as a plain literal, to the same config', async () => {
    const state = tempDir()
    const withPython = await importIt(state)
    const without = await importIt(tempDir(), [], { PATH: '/nonexistent' })
    expect(without.code).toBe(0)
    expect(without.stderr).toContain('read as a plain literal (no python3 on PATH)')
    const body = (t: string) => t.split('\n').slice(1).join('\n')
    expect(body(without.stdout)).toBe(body(withPython.stdout))
  })

  test('a file that is code, not a literal: evaluated by python3; without it, an error naming the line', async () => {
    const dir = tempDir()
    const file = join(dir, 'job_configs.py')
    writeFileSync(
      file,
      'GREETING = "echo hi {name}"\n\nraw_config = {\n  "demo": {\n    "jobs": {"hi": {"run_args_template": GREETING}},\n    "slack": [{"command": "hi [name]", "help": "hi", "action": "schedule_job", "job_type": "hi"}],\n  },\n}\n',
    )
    const ok = await runBot(['config', 'import', file], { env: botEnv(dir) })
    expect(ok.code).toBe(0)
    expect(parse(ok.stdout).namespaces.demo.jobs.hi.run).toBe('echo hi [name]')
    const bad = await runBot(['config', 'import', file], {
      env: botEnv(dir, { PATH: '/nonexistent' }),
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('line 5: GREETING is a name, not a literal')
  })

  test('anything the original did not support is refused, naming the namespace and key', async () => {
    const dir = tempDir()
    const file = join(dir, 'job_configs.py')
    writeFileSync(
      file,
      'raw_config = {"demo": {"jobs": {"hi": {"run_args_template": "echo hi", "timeout": 5}}, "slack": [{"command": "hi", "help": "", "action": "launch", "job_type": "hi"}]}}\n',
    )
    const r = await runBot(['config', 'import', file], { env: botEnv(dir) })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      'raw_config["demo"]["jobs"]["hi"]: "timeout" not known to the Python ebmbot',
    )
    expect(r.stderr).toContain('raw_config["demo"]["slack"][0]["action"]')
  })
})

describe('--queue carries the old queue over', () => {
  test('pending jobs become requests with their values and thread, live suppressions are kept, the rest is reported', async () => {
    const state = tempDir()
    const old = join(state, 'old', 'ebmbot.db')
    mkdirSync(join(state, 'old'))
    const db = new Database(old, { create: true })
    // The Python bot's tables, as its connection.py created them.
    db.run(`CREATE TABLE job (id INTEGER PRIMARY KEY, type TEXT NOT NULL, args TEXT, channel TEXT,
      thread_ts TEXT, start_after DATETIME, started_at DATETIME, is_im BOOLEAN)`)
    db.run(`CREATE TABLE suppression (id INTEGER PRIMARY KEY, job_type TEXT NOT NULL,
      start_at DATETIME, end_at DATETIME)`)
    const py = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00:00')
    const now = Date.now()
    db.run('INSERT INTO job VALUES (7, ?, ?, ?, ?, ?, NULL, 0)', [
      'hello_greet_name',
      '{"name": "Grace Hopper"}',
      'C123',
      '1700000000.000100',
      py(now + 120_000),
    ])
    db.run('INSERT INTO job VALUES (8, ?, ?, ?, NULL, ?, ?, 0)', [
      'rota_rota_report',
      '{}',
      'C123',
      py(now - 60_000),
      py(now - 30_000),
    ])
    db.run('INSERT INTO job VALUES (9, ?, ?, ?, NULL, ?, NULL, 1)', [
      'gone_job',
      '{}',
      'D1',
      py(now),
    ])
    db.run('INSERT INTO suppression VALUES (1, ?, ?, ?)', [
      'deploy-site_deploy',
      py(now - 60_000),
      py(now + 3_600_000),
    ])
    db.run('INSERT INTO suppression VALUES (2, ?, ?, ?)', [
      'deploy-site_deploy',
      py(now - 7_200_000),
      py(now - 3_600_000),
    ])
    db.close()
    copyFileSync(old, `${old}.before`)

    const r = await importIt(state, ['--queue', old])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('1 scheduled job, 1 suppression')
    expect(r.stderr).toContain(
      'old job 8 (rota_rota_report) was running when the Python bot stopped',
    )
    expect(r.stderr).toContain('old job 9: no job type gone_job in the new config')

    const q = new Database(join(state, 'ebmbot.db'), { readonly: true })
    const runs = q
      .query('SELECT job_type, state, params, command, channel, thread_ts, due_at FROM runs')
      .all() as Record<string, unknown>[]
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({
      job_type: 'hello_greet_name',
      state: 'pending',
      params: '{"name":"Grace Hopper"}',
      command: "python3 jobs.py 'Grace Hopper'",
      channel: 'C123',
      thread_ts: '1700000000.000100',
    })
    expect(Math.abs((runs[0]!.due_at as number) - (now + 120_000))).toBeLessThan(5000)
    const sups = q.query('SELECT job_type, end_at FROM suppressions').all() as {
      job_type: string
      end_at: number
    }[]
    expect(sups).toEqual([{ job_type: 'deploy-site_deploy', end_at: now + 3_600_000 }])
    q.close()
    // The old database is only read.
    expect(await Bun.file(old).bytes()).toEqual(await Bun.file(`${old}.before`).bytes())

    const status = await runBot(['chat', '--config', r.file], {
      env: botEnv(state),
      input: 'status\n',
    })
    expect(status.stdout).toContain('hello_greet_name')
    expect(status.stdout).toContain('deploy-site_deploy')
  })
})
