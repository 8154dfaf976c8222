// The bot started under a wrapper (a private mount namespace, a ulimit), with its output
// collected as it comes. The wrapper is a bash script that ends in `exec "$@"`, so the bot is
// the process the test signals and waits for.
import type { Subprocess } from 'bun'
import { BUN, MAIN } from './bot.ts'
import { REPO } from './temp.ts'

export function startWrappedBot(script: string, args: string[], opts: { env: Record<string, string>; wrapper?: string[] }) {
  const proc: Subprocess<'pipe', 'pipe', 'pipe'> = Bun.spawn([...(opts.wrapper ?? []), 'bash', '-c', `${script}\nexec "$@"`, 'bash', BUN, MAIN, ...args], {
    cwd: REPO,
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

/** True when this process may make a private mount namespace and mount a tmpfs in it (root). */
export function canMountTmpfs(): boolean {
  try {
    const r = Bun.spawnSync(['unshare', '-m', 'bash', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'], { stdout: 'ignore', stderr: 'ignore' })
    return r.exitCode === 0
  } catch {
    return false // no unshare at all
  }
}
