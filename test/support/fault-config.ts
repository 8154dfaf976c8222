// Configs for fault tests, and a seeded random source so a failing run can be replayed
// (the seed is printed; set EBMBOT_FAULT_SEED to repeat it).

/**
 * A namespace `k` with `types` job types `j0`..`jN`, each command `k jI [tag]` running
 * `sleep <seconds>; echo ran <tag>` and reporting its output. One job type per command sent, so
 * scheduling never merges two commands into one request and every acknowledgement maps to
 * exactly one command.
 */
export function burstConfig(
  types: number,
  opts: { sleep?: number; maxParallel?: number } = {},
): string {
  const jobs = Array.from(
    { length: types },
    (_, i) =>
      `      j${i}: {run: "sleep ${opts.sleep ?? 0.2}; echo ran [tag]", report_stdout: true}`,
  )
  const commands = Array.from(
    { length: types },
    (_, i) => `      - {pattern: "j${i} [tag]", job: j${i}}`,
  )
  return [
    'settings:',
    `  max_parallel: ${opts.maxParallel ?? 4}`,
    '  kill_grace: 1s',
    '  poll_interval: 1s',
    'namespaces:',
    '  k:',
    '    jobs:',
    ...jobs,
    '    commands:',
    ...commands,
    '',
  ].join('\n')
}

export function seededRandom(label: string): {
  next: () => number
  int: (lo: number, hi: number) => number
  seed: number
} {
  const seed = Number(process.env.EBMBOT_FAULT_SEED) || (Date.now() ^ (process.pid << 8)) >>> 0
  console.log(`${label}: seed ${seed} (EBMBOT_FAULT_SEED=${seed} repeats it)`)
  let a = seed >>> 0
  // mulberry32: tiny, fast and good enough to pick kill points.
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), seed }
}

/** Slow variants (many more rounds) run only under `bun run test:soak`. */
export const SOAK = process.env.EBMBOT_SOAK === '1'
