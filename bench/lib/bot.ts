// Starting the bot for benchmarks: a temp state folder, a config written there, a child process.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REPO = join(import.meta.dir, '..', '..')
export const BUN = process.execPath
export const MAIN = join(REPO, 'src', 'main.ts')

/**
 * `--profile`: the bot under test writes a CPU profile (Bun's `--cpu-prof`) into a folder of
 * this one when it stops, so a figure comes with where its time went (lib/profile.ts sums it).
 */
export const PROFILE_DIR = process.argv.includes('--profile')
  ? mkdtempSync(join(tmpdir(), 'ebmbot-profile-'))
  : null

/** The argv that starts the bot from source with `args`; under `--profile`, profiled into PROFILE_DIR/`profileAs`. */
export function botArgv(args: string[], profileAs?: string): string[] {
  const prof =
    PROFILE_DIR && profileAs ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, profileAs)}`] : []
  return [BUN, ...prof, MAIN, ...args]
}

export function benchDir(): string {
  return mkdtempSync(join(tmpdir(), 'ebmbot-bench-'))
}

/** Only what a job needs: the bench never hands its own environment to the bot. */
export function botEnv(
  stateDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: stateDir,
    EBMBOT_STATE_DIR: stateDir,
    ...extra,
  }
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

/** Reads a child's stream as it comes; `wait` resolves once the text so far matches. */
export function collect(stream: ReadableStream<Uint8Array>) {
  const state = { text: '' }
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = []
  void (async () => {
    const dec = new TextDecoder()
    for await (const chunk of stream) {
      state.text += dec.decode(chunk, { stream: true })
      for (const w of waiters.splice(0)) {
        const m = state.text.match(w.re)
        if (m) w.resolve(m)
        else waiters.push(w)
      }
    }
  })()
  return {
    get text() {
      return state.text
    },
    wait(re: RegExp): Promise<RegExpMatchArray> {
      const m = state.text.match(re)
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ re, resolve }))
    },
  }
}
