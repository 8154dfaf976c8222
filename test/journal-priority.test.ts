// Log lines carry syslog priorities (`<3>` error, `<4>` warn, `<6>` info) only when stderr is the
// journal stream systemd named in JOURNAL_STREAM, so `journalctl -p err` finds the errors while a
// redirected stderr stays plain logfmt.
import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, botEnv, MAIN } from './support/bot.ts'
import { cleanupTemp, EXAMPLE_CONFIG, REPO, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

/** Runs the CLI with stderr going to a file; `journal` sets JOURNAL_STREAM to that file's identity. */
async function stderrOf(
  args: string[],
  opts: { journal: boolean; input?: string; env?: Record<string, string> },
) {
  const dir = tempDir()
  const file = join(dir, 'stderr')
  writeFileSync(file, '')
  const { dev, ino } = statSync(file)
  const proc = Bun.spawn([BUN, MAIN, ...args], {
    cwd: REPO,
    env: botEnv(join(dir, 'state'), {
      JOURNAL_STREAM: opts.journal ? `${dev}:${ino}` : `${dev}:${ino + 1}`,
      ...opts.env,
    }),
    stdin: opts.input === undefined ? 'ignore' : new TextEncoder().encode(opts.input),
    stdout: 'ignore',
    stderr: Bun.file(file),
  })
  const code = await proc.exited
  return { code, lines: readFileSync(file, 'utf8').trimEnd().split('\n') }
}

describe('journald priorities', () => {
  test('with stderr on the journal, info lines start <6> and a config error <3>', async () => {
    const chat = await stderrOf(['chat', '--config', EXAMPLE_CONFIG], {
      journal: true,
      input: 'demo hello world\n',
      env: { EBMBOT_LOG_LEVEL: 'info' },
    })
    expect(chat.code).toBe(0)
    expect(chat.lines.length).toBeGreaterThan(1)
    for (const l of chat.lines) expect(l).toMatch(/^<6>level=info event=|^<4>level=warn event=/)
    const dir = tempDir()
    const bad = writeConfig(
      dir,
      'namespaces:\n  demo:\n    jobs:\n      x: {run: "true", timeout: -5}\n',
    )
    const check = await stderrOf(['config', 'check', '--config', bad], { journal: true })
    expect(check.code).toBe(2)
    expect(check.lines[0]).toStartWith(`<3>${bad}:4: namespaces.demo.jobs.x.timeout`)
  })
  test('a JOURNAL_STREAM that is not this stderr (inherited, then redirected) adds no prefix', async () => {
    const chat = await stderrOf(['chat', '--config', EXAMPLE_CONFIG], {
      journal: false,
      input: 'demo hello world\n',
      env: { EBMBOT_LOG_LEVEL: 'info' },
    })
    expect(chat.lines.length).toBeGreaterThan(1)
    for (const l of chat.lines) expect(l).toStartWith('level=')
  })
})
