// The bot started under a wrapper (a private mount namespace, a ulimit), with its output
// collected as it comes. The wrapper is a bash script that ends in `exec "$@"`, so the bot is
// the process the test signals and waits for.
import { BUN, MAIN, spawnCollected } from './bot.ts'

export function startWrappedBot(
  script: string,
  args: string[],
  opts: { env: Record<string, string>; wrapper?: string[] },
) {
  return spawnCollected(
    [...(opts.wrapper ?? []), 'bash', '-c', `${script}\nexec "$@"`, 'bash', BUN, MAIN, ...args],
    { env: opts.env },
  )
}

/**
 * True when this process may mount a tmpfs (root): in a private mount namespace (for a wrapped
 * bot), or `here`, where it runs (for a test that measures its own disk).
 */
export function canMountTmpfs(where: 'private' | 'here' = 'private'): boolean {
  const probe =
    'd=$(mktemp -d) || exit 1; mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; r=$?; rmdir "$d"; exit $r'
  try {
    const r = Bun.spawnSync(
      [...(where === 'private' ? ['unshare', '-m'] : []), 'bash', '-c', probe],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    return r.exitCode === 0
  } catch {
    return false // no unshare at all
  }
}
