// Where a profiled bot's CPU went: a `.cpuprofile` (Chrome's format, which `bun --cpu-prof`
// writes) summed by function, as two Markdown tables: the frames that used the CPU themselves,
// and the project's own functions with everything they called. Shares are of samples, so a
// moment when the machine ran something else does not weigh more than any other.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO } from './bot.ts'
import { table } from './stats.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
}

/** The largest profile in the folder: the bot's, not a short-lived helper process's. */
function largestProfile(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
  files.sort((a, b) => statSync(b).size - statSync(a).size)
  return files[0] ?? null
}

const where = (url: string, line: number) => {
  if (!url) return '(native)'
  const path = decodeURIComponent(url.replace(/^file:\/\//, ''))
  const modules = path.lastIndexOf('/node_modules/')
  const rel =
    modules >= 0
      ? path.slice(modules + '/node_modules/'.length)
      : path.startsWith(REPO)
        ? relative(REPO, path)
        : path
  return `${rel}${line >= 0 ? `:${line + 1}` : ''}`
}

/** Two tables of the profile's top functions: by own samples, and the project's by inclusive samples. */
function summarizeProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}\t${where(n.callFrame.url, n.callFrame.lineNumber)}`
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let counted = 0
  for (const id of profile.samples) {
    const node = byId.get(id)
    if (
      !node ||
      ['(idle)', '(program)', '(garbage collector)', '(root)'].includes(node.callFrame.functionName)
    )
      continue
    counted++
    self.set(key(node), (self.get(key(node)) ?? 0) + 1)
    // Each function once per sample, however deep it recursed.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at)!)
      if (!seen.has(k)) {
        seen.add(k)
        inclusive.set(k, (inclusive.get(k) ?? 0) + 1)
      }
    }
  }
  const pct = (n: number) => `${((100 * n) / Math.max(1, counted)).toFixed(1)}%`
  const rows = (m: Map<string, number>, keep: (k: string) => boolean) =>
    [...m]
      .filter(([k]) => keep(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, n]) => {
        const [fn, at] = k.split('\t')
        return [`\`${fn}\``, at!, pct(n)]
      })
  const own = (k: string) => k.split('\t')[1]!.startsWith('src/')
  return [
    `${counted.toLocaleString('en-US')} samples with the bot busy (${file})`,
    '',
    table(
      ['function (own time)', 'where', 'share'],
      rows(self, () => true),
    ),
    '',
    table(['project function (with what it called)', 'where', 'share'], rows(inclusive, own)),
  ].join('\n')
}

/** Prints the summary of each named bot's profile under `dir` (those that were written). */
export function printProfiles(dir: string, names: string[]): void {
  for (const name of names) {
    const file = existsSync(join(dir, name)) ? largestProfile(join(dir, name)) : null
    if (file) console.log(`\n### Where the CPU went: ${name}\n\n${summarizeProfile(file)}`)
  }
}
