// Temporary folders and config files, one per test, removed afterwards.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

export function tempDir(prefix = 'ebmbot-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function writeConfig(dir: string, yaml: string, name = 'ebmbot.yaml'): string {
  const file = join(dir, name)
  writeFileSync(file, yaml)
  return file
}

export function cleanupTemp(): void {
  for (const d of made.splice(0)) {
    rmSync(d, { recursive: true, force: true })
    // A state folder's jobs folder sits beside it (<state>-jobs) when the config names none.
    rmSync(`${d}-jobs`, { recursive: true, force: true })
  }
}

export const REPO = join(import.meta.dir, '..', '..')
export const EXAMPLE_CONFIG = join(REPO, 'examples', 'ebmbot.yaml')
