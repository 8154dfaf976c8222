// Run log folders made ahead of time. A run's folder with its two private files is six metadata
// operations (a folder, two files, and each one's mode set whatever the umask), and when the
// filesystem's journal is busy (the queue's own commits and checkpoints) each can wait up to a
// millisecond. Made ahead, the path from the claim to the job's first command pays one rename;
// the next spare is made after the launch, and a launch that finds none makes its folder itself.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { chmod, mkdir, rm, utimes } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createPrivateSoon } from './log-paths.ts'
import { pidAlive } from './proc.ts'

/** Where spares wait, inside the logs folder (a rename cannot cross filesystems). */
export const SPARE_DIR = '.spare'

export class SpareLogDirs {
  private readonly pool: string
  private readonly ready: string[] = []
  private made = 0
  private filling?: Promise<void>
  /** the pool folder exists, its mode and the logs folder's set */
  private poolMade = false
  /** job type folders known to exist, so a take is a rename and nothing more */
  private readonly parents = new Set<string>()
  /** spares are named per process, so two bots sharing a logs folder never take each other's */
  private readonly prefix = `${process.pid}-${crypto.randomUUID().slice(0, 8)}`

  constructor(
    private readonly logsRoot: string,
    /** two: a launch soon after another still finds one while the next is being made */
    private keep = 2,
  ) {
    this.pool = join(logsRoot, SPARE_DIR)
  }

  /** Moves a ready folder (an empty stdout and stderr inside) to `dest`; false when none is ready. */
  take(dest: string): boolean {
    const spare = this.ready.shift()
    if (!spare) return false
    const parent = dirname(dest)
    try {
      if (!this.parents.has(parent)) this.makeParent(parent)
      try {
        renameSync(spare, dest)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
        // The job type's folder went meanwhile (pruned empty, or removed by hand).
        this.makeParent(parent)
        renameSync(spare, dest)
      }
      // A spare may have waited for weeks; dated now, the run's folder is kept for keep_logs
      // from this run, not from the spare's making (a run that writes nothing is judged by it).
      const now = new Date()
      void utimes(dest, now, now).catch(() => {})
      return true
    } catch {
      rmSync(spare, { recursive: true, force: true })
      return false
    }
  }

  /**
   * Makes spares until `keep` wait, on the runtime's file threads so a slow disk never holds up
   * the event loop (the acks of events arriving meanwhile). On a failure the next launch makes
   * its own folder, and says why.
   */
  refill(): Promise<void> {
    this.filling ??= this.fill().finally(() => (this.filling = undefined))
    return this.filling
  }

  private async fill(): Promise<void> {
    while (this.ready.length < this.keep) {
      const dir = join(this.pool, `${this.prefix}-${++this.made}`)
      try {
        if (!this.poolMade) {
          await mkdir(this.pool, { recursive: true, mode: 0o700 })
          await Promise.all([chmod(this.logsRoot, 0o700), chmod(this.pool, 0o700)])
          this.poolMade = true
        }
        await mkdir(dir, { mode: 0o700 })
        await Promise.all([
          chmod(dir, 0o700),
          createPrivateSoon(join(dir, 'stdout')),
          createPrivateSoon(join(dir, 'stderr')),
        ])
        this.ready.push(dir)
      } catch {
        // The pool itself may be what went (removed by hand): made again next time.
        this.poolMade = false
        await rm(dir, { recursive: true, force: true })
        return
      }
    }
  }

  /** Removes spares a process that is gone left behind (killed before it could discard them). */
  clearStale(): void {
    let names: string[]
    try {
      names = readdirSync(this.pool)
    } catch {
      return // none yet
    }
    for (const name of names) {
      const pid = Number.parseInt(name, 10)
      if (pid !== process.pid && !(pid > 0 && pidAlive(pid)))
        rmSync(join(this.pool, name), { recursive: true, force: true })
    }
  }

  /** Removes this process's spares (at stop), once one being made is done. */
  async discard(): Promise<void> {
    this.keep = 0
    await this.filling
    for (const dir of this.ready.splice(0)) rmSync(dir, { recursive: true, force: true })
  }

  private makeParent(parent: string): void {
    mkdirSync(parent, { recursive: true, mode: 0o700 })
    this.parents.add(parent)
  }
}
