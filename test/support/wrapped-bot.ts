// The bot started under a wrapper (a private mount namespace, a ulimit), with its output
// collected as it comes. The wrapper is a bash script that ends in `exec "$@"`, so the bot is
// the process the test signals and waits for.
import { BUN, MAIN, spawnCollected } from './bot.ts'

export function startWrappedBot(script: string, args: string[], opts: { env: Record<string, string>; wrapper?: string[] }) {
  return spawnCollected([...(opts.wrapper ?? []), 'bash', '-c', `${script}\nexec "$@"`, 'bash', BUN, MAIN, ...args], { env: opts.env })
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

/** True when this process may mount a tmpfs where it runs (for a test that measures its own disk). */
export function canMountTmpfsHere(): boolean {
  try {
    const r = Bun.spawnSync(['bash', '-c', 'd=$(mktemp -d) || exit 1; mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; r=$?; rmdir "$d"; exit $r'], { stdout: 'ignore', stderr: 'ignore' })
    return r.exitCode === 0
  } catch {
    return false
  }
}
