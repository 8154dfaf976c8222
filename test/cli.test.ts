// The command line as users run it: piped chat on the built-in example, config check, explain,
// exit codes and error lines.
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { botEnv, runBot } from './support/bot.ts'
import { cleanupTemp, EXAMPLE_CONFIG, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

/**
 * A suppression for the rest of today (UTC; windows are today only). Near midnight it first waits
 * for the new day, so the window still covers the test: callers allow DAY_TURN_MS more time.
 */
async function suppressForToday(): Promise<string> {
  const now = Date.now()
  const nextDay = Math.ceil((now + 1) / 86_400_000) * 86_400_000
  if (nextDay - now < 5 * 60_000) await Bun.sleep(nextDay - now + 1000)
  return 'demo suppress sleep from 00:00 to 23:59'
}
const DAY_TURN_MS = 5 * 60_000 + 30_000

describe('ebmbot chat (piped)', () => {
  test('runs the job, prints its greeting, waits for the report and exits 0', async () => {
    const state = tempDir()
    const r = await runBot(['chat'], { env: botEnv(state), input: 'demo hello world\n' })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Hello, world!')
    expect(r.stdout).toContain('(🤞 accepted: run 1)')
    expect(existsSync(join(state, 'ebmbot.db'))).toBe(true)
  })
  test('a hostile param reaches the job literally and runs nothing', async () => {
    const state = tempDir()
    const r = await runBot(['chat'], {
      env: botEnv(state),
      input: `demo hello $(touch ${state}/pwned); touch ${state}/pwned2 \`id\`\n`,
    })
    expect(r.stdout).toContain(`Hello, $(touch ${state}/pwned); touch ${state}/pwned2 \`id\`!`)
    expect(existsSync(join(state, 'pwned'))).toBe(false)
    expect(existsSync(join(state, 'pwned2'))).toBe(false)
  })
  test('help, status, unknown commands and a failing job, in order; the failure makes it exit 1', async () => {
    const state = tempDir()
    const r = await runBot(['chat', '--config', EXAMPLE_CONFIG], {
      env: botEnv(state),
      input: 'help\ndemo helo\ndemo fail\n',
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('event=chat.jobs_failed runs=1')
    const out = r.stdout
    expect(out).toContain('`demo`: Harmless demo jobs')
    expect(out).toContain('Did you mean: `demo hello`')
    expect(out).toMatch(/`demo_fail` failed with exit code 3 \(run 1/)
    expect(out).toContain('something went wrong')
    expect(out.indexOf('Namespaces')).toBeLessThan(out.indexOf('Did you mean'))
  })
  test(
    'jobs queued in one session survive into the next',
    async () => {
      const state = tempDir()
      // `nap` waits a minute: suppress it so the first session does not wait, then lift it.
      const first = await runBot(['chat'], {
        env: botEnv(state),
        input: `${await suppressForToday()}\ndemo nap 0\n`,
      })
      expect(first.stdout).toContain('held by a suppression')
      const second = await runBot(['chat'], { env: botEnv(state), input: 'status\n' })
      expect(second.stdout).toMatch(
        /1 job scheduled:\n• \[1\] `demo_sleep` due at .*\(held by a suppression until 23:59 UTC\)/,
      )
    },
    DAY_TURN_MS,
  )
})

describe('run verbs in local chat take run numbers', () => {
  test('status, logs, cancel and rerun by number; history', async () => {
    const state = tempDir()
    const first = await runBot(['chat'], {
      env: botEnv(state),
      input: 'demo fail\ndemo sleep 30\nstatus 2\ncancel 2\n',
    })
    // A second session reads what the first left behind, once run 1 has surely finished.
    const second = await runBot(['chat'], {
      env: botEnv(state),
      input: 'logs 1 stderr\nrerun 1\nhistory\n',
    })
    const r = { stdout: first.stdout + second.stdout }
    // Run 1 failed in the first session; the second reran it (run 3), which failed again.
    expect([first.code, second.code]).toEqual([1, 1])
    expect(r.stdout).toMatch(/Run 2, `demo_sleep`: (scheduled|running)\n/)
    // Depending on timing the sleep was still queued or already going; either way it is stopped.
    expect(r.stdout).toMatch(
      /Cancelled run 2 \(`demo_sleep`\) before it started\.|Stopping run 2 \(`demo_sleep`\)/,
    )
    expect(r.stdout).toContain(
      'Last lines of stderr of run 1 (`demo_fail`, failed):\n```\nsomething went wrong\n```',
    )
    expect(r.stdout).toContain('Rerunning run 1 as run 3 (`demo_fail`).')
    expect(r.stdout).toContain('Runs, newest first (page 1 of 1, 3 in all)')
    expect(r.stdout).toMatch(/`demo_fail` failed with exit code 3 \(run 3/)
  })
})

describe('typed params in the example', () => {
  test('`demo sleep abc` is refused with what fits, and nothing is queued', async () => {
    const state = tempDir()
    const r = await runBot(['chat'], { env: botEnv(state), input: 'demo sleep abc\nstatus\n' })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      'Sorry, `abc` does not fit [seconds]: it must be a whole number from 0 to 600.',
    )
    expect(r.stdout).toContain('Nothing is happening')
    expect(r.stdout).not.toContain('accepted')
  })
})

describe('piped chat as a script step', () => {
  test('`quit` ends a piped session: later lines are not run, what it started still finishes', async () => {
    const state = tempDir()
    const r = await runBot(['chat'], {
      env: botEnv(state),
      input: 'demo hello before\nquit\ndemo hello after\n',
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Hello, before!')
    expect(r.stdout).not.toContain('Hello, after!')
  })
  test('a job that runs past six progress intervals prints a progress line with its last output', async () => {
    const dir = tempDir()
    const file = writeConfig(
      dir,
      [
        'settings: {progress_interval: 1s}',
        'namespaces:',
        '  t:',
        '    jobs:',
        "      slow: {run: 'echo warming up; sleep 8; echo done'}",
        '    commands:',
        '      - {pattern: slow, job: slow}',
      ].join('\n'),
    )
    const r = await runBot(['chat', '--config', file], { env: botEnv(dir), input: 't slow\n' })
    expect(r.code).toBe(0)
    const progress = r.stdout.split('\n').filter((l) => l.includes('is running:'))
    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress.length).toBeLessThanOrEqual(2)
    expect(progress[0]).toMatch(/ `t_slow` \(run 1\) is running: \d+s so far\.$/)
    expect(r.stdout).toContain('`warming up`')
  }, 30_000)
})

describe('piped chat finishes the jobs it takes on', () => {
  test('a rerun typed in a later session runs to its report before the session ends', async () => {
    const state = tempDir()
    // Long enough that a session leaving at once would cut the rerun short.
    await runBot(['chat'], { env: botEnv(state), input: 'demo sleep 1\n' })
    const r = await runBot(['chat'], { env: botEnv(state), input: 'rerun 1\n' })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Rerunning run 1 as run 2 (`demo_sleep`).')
    expect(r.stdout).toMatch(/`demo_sleep` succeeded \(run 2/)
  })
  test(
    'a job from an earlier session that it releases is run to its report, not cut short',
    async () => {
      const state = tempDir()
      const first = await runBot(['chat'], {
        env: botEnv(state),
        input: `${await suppressForToday()}\ndemo sleep 1\n`,
      })
      expect(first.stdout).toContain(
        '(run 1 is held by a suppression; it stays queued for the next session)',
      )
      const second = await runBot(['chat'], {
        env: botEnv(state),
        input: 'demo unsuppress sleep\n',
      })
      expect(second.code).toBe(0)
      expect(second.stdout).toMatch(/`demo_sleep` succeeded \(run 1/)
      expect(second.stdout).not.toContain('was stopped')
    },
    DAY_TURN_MS,
  )
})

describe('config check', () => {
  test('a valid file prints a summary and exits 0', async () => {
    const r = await runBot(['config', 'check', '--config', EXAMPLE_CONFIG], {
      env: botEnv(tempDir()),
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('examples/ebmbot.yaml: OK')
    expect(r.stdout).toContain('demo hello [name]  ->  schedule_job demo_hello')
    expect(r.stdout).toContain(
      '  demo sleep [seconds]  ->  schedule_job demo_sleep\n      [seconds]: a whole number from 0 to 600\n',
    )
  })
  test('warnings: config check lists them and exits 0; chat logs them on stderr and runs', async () => {
    const dir = tempDir()
    const file = writeConfig(
      dir,
      `namespaces:
  demo:
    jobs:
      hi: {run: "echo hi {name}", report_stdout: true}
    commands:
      - {pattern: "hi [name]", job: hi}
`,
    )
    const check = await runBot(['config', 'check', '--config', file], { env: botEnv(dir) })
    expect(check.code).toBe(0)
    expect(check.stdout).toContain(
      'warning: namespaces.demo.jobs.hi.run: {name} is passed to bash as written; placeholders are [name] now',
    )
    expect(check.stdout).toContain('warning: namespaces.demo.commands[0].pattern: captures [name]')
    const chat = await runBot(['chat', '--config', file], {
      env: botEnv(dir),
      input: 'demo hi Ada\n',
    })
    expect(chat.stderr).toContain('event=config.warning')
    expect(chat.stdout).toContain('hi {name}')
  })
  test('GitHub triggers are summarised with their filters, job and channel', async () => {
    const r = await runBot(
      ['config', 'check', '--config', EXAMPLE_CONFIG.replace('ebmbot.yaml', 'github.yaml')],
      { env: botEnv(tempDir()) },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('github project website: POST /github/website, 3 triggers')
    expect(r.stdout).toContain(
      'pull_request [action=closed merged=true base=main]  ->  website_deploy (after 60s), report to #website',
    )
  })
  test('EBMBOT_CONFIG is used when --config is absent, from any folder', async () => {
    const dir = tempDir()
    const r = await runBot(['config', 'check'], {
      env: botEnv(dir, { EBMBOT_CONFIG: EXAMPLE_CONFIG }),
      cwd: dir,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toStartWith(`${EXAMPLE_CONFIG}: OK`)
  })
  test('an invalid file exits 2 naming file, key and line, with no stack trace', async () => {
    const dir = tempDir()
    const file = writeConfig(
      dir,
      'namespaces:\n  demo:\n    jobs:\n      x:\n        run: "true"\n        timeout: -5\n',
    )
    const r = await runBot(['config', 'check', '--config', file], { env: botEnv(dir) })
    expect(r.code).toBe(2)
    expect(r.stderr).toStartWith(`${file}:6: namespaces.demo.jobs.x.timeout: bad duration -5`)
    expect(r.stderr).not.toContain('    at ')
  })
  test('bad usage exits 2 with the usage text', async () => {
    const r = await runBot(['frobnicate'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "frobnicate"')
    expect(r.stderr).toContain('usage: ebmbot')
  })
})

describe('explain', () => {
  test('shows namespace, command, job and the exact quoted command; queues nothing', async () => {
    const state = tempDir()
    const r = await runBot(['explain', "demo hello it's $(id)"], { env: botEnv(state) })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('namespace: demo')
    expect(r.stdout).toContain('command:   demo hello [name]')
    expect(r.stdout).toContain('action:    schedule job demo_hello')
    expect(r.stdout).toContain(`shell:     echo Hello, 'it'\\''s $(id)'!`)
    expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
  })
})

describe('the command line is parsed strictly', () => {
  test('--version prints the package version and exits 0', async () => {
    const r = await runBot(['--version'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(`ebmbot ${(await Bun.file('package.json').json()).version}`)
  })
  test('`<command> --help` prints that command’s help, not the overview, and exits 0', async () => {
    const r = await runBot(['explain', '--help'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(0)
    expect(r.stdout).toStartWith('usage: ebmbot explain')
    expect(r.stdout).toContain('Exits 1 when the text matches no command')
  })
  test('an unknown flag is refused with exit 2, naming the flag, and nothing runs', async () => {
    const state = tempDir()
    const r = await runBot(['chat', '--confg', EXAMPLE_CONFIG], {
      env: botEnv(state),
      input: 'demo hello world\n',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("Unknown option '--confg'")
    expect(r.stdout).not.toContain('Hello')
    expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
  })
  test('--config without a file is a usage error', async () => {
    const r = await runBot(['config', 'check', '--config'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("'-c, --config <value>' argument missing")
  })
  test('a bad WEBHOOK_PORT is a clear error with exit 2 before anything starts', async () => {
    const state = tempDir()
    const r = await runBot(['serve'], { env: botEnv(state, { WEBHOOK_PORT: '90o0' }) })
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(
      'environment: WEBHOOK_PORT: "90o0" is not a port; use a number from 1 to 65535 (0 picks a free one)',
    )
    expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
  })
  test('an unknown log level is a clear error with exit 2', async () => {
    const r = await runBot(['config', 'check'], {
      env: botEnv(tempDir(), { EBMBOT_LOG_LEVEL: 'verbose' }),
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'EBMBOT_LOG_LEVEL: unknown log level "verbose"; use debug, info, warn, error',
    )
  })
})

describe('explain exit codes', () => {
  test('text that matches no command exits 1 and still shows the suggestions', async () => {
    const r = await runBot(['explain', 'demo helo world'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Did you mean: `demo hello`')
  })
  test('a built-in (help) counts as a match and exits 0', async () => {
    const r = await runBot(['explain', 'help'], { env: botEnv(tempDir()) })
    expect(r.code).toBe(0)
  })
  test('text after `--` may start with a dash', async () => {
    const r = await runBot(['explain', '--', 'demo hello -n'], { env: botEnv(tempDir()) })
    expect(r.stdout).toContain('text:      demo hello -n')
  })
})
