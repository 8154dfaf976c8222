// The bot as a real child process: `bun src/main.ts <args>` with its own state folder.
import type { Subprocess } from 'bun'
import { afterEach } from 'bun:test'
import { join } from 'node:path'
import { REPO } from './temp.ts'

export const BUN = process.execPath
export const MAIN = join(REPO, 'src', 'main.ts')

/**
 * For a test file whose bots must not outlive a failed test (one waiting on its open stdin would
 * hang the run): every bot passed to the returned function is SIGKILLed after each test.
 */
export function killAfterEach() {
  const bots: { proc: { kill(signal?: NodeJS.Signals): void } }[] = []
  afterEach(() => {
    for (const b of bots.splice(0)) b.proc.kill('SIGKILL')
  })
  return <T extends (typeof bots)[number]>(bot: T): T => {
    bots.push(bot)
    return bot
  }
}

export interface BotRun {
  code: number
  stdout: string
  stderr: string
}

export function botEnv(
  stateDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    EBMBOT_STATE_DIR: stateDir,
    ...extra,
  }
}

/** Runs the CLI to completion with `input` on stdin. */
export async function runBot(
  args: string[],
  opts: { env: Record<string, string>; input?: string; cwd?: string; cmd?: string[] },
): Promise<BotRun> {
  const proc = Bun.spawn([...(opts.cmd ?? [BUN, MAIN]), ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env,
    stdin: opts.input === undefined ? 'ignore' : new TextEncoder().encode(opts.input),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, stdout, stderr }
}

/** Starts a long-lived bot (chat with an open stdin, or serve), collecting its output as it comes. */
export function startBot(args: string[], opts: { env: Record<string, string>; cwd?: string }) {
  return spawnCollected([BUN, MAIN, ...args], opts)
}

/** Spawns a command with piped stdio, gathering stdout and stderr as text while it runs. */
export function spawnCollected(cmd: string[], opts: { env: Record<string, string>; cwd?: string }) {
  const proc: Subprocess<'pipe', 'pipe', 'pipe'> = Bun.spawn(cmd, {
    cwd: opts.cwd ?? REPO,
    env: opts.env,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const out = { stdout: '', stderr: '' }
  const pump = async (stream: ReadableStream<Uint8Array>, key: 'stdout' | 'stderr') => {
    const dec = new TextDecoder()
    for await (const chunk of stream) out[key] += dec.decode(chunk, { stream: true })
  }
  void pump(proc.stdout, 'stdout')
  void pump(proc.stderr, 'stderr')
  return {
    proc,
    out,
    send(line: string) {
      proc.stdin.write(line + '\n')
      proc.stdin.flush()
    },
  }
}
