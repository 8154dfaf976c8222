// The architecture the folders promise, checked on the source itself: no folder of src/ depends
// on another that depends back on it (type imports count), and only src/queue speaks SQL.
import { expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

const SRC = join(import.meta.dir, '..', 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  )
}

/** `src/queue/db.ts` → `queue`; files at the top of src/ (main.ts) → `.` */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/')
  return parts.length > 1 ? parts[0]! : '.'
}

const files = sourceFiles(SRC).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }))

function folderEdges(): Map<string, Map<string, string[]>> {
  const edges = new Map<string, Map<string, string[]>>()
  for (const f of files) {
    for (const m of f.text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = normalize(join(dirname(f.path), m[1]!))
      if (!target.startsWith(SRC)) continue // examples/, drizzle/ (embedded at build time)
      const [a, b] = [folderOf(f.path), folderOf(target)]
      if (a === b) continue
      const out = edges.get(a) ?? new Map<string, string[]>()
      edges.set(a, out)
      out.set(b, [...(out.get(b) ?? []), `${relative(SRC, f.path)} → ${relative(SRC, target)}`])
    }
  }
  return edges
}

test('no two folders of src/ import each other, directly or around a circle', () => {
  const edges = folderEdges()
  const circles: string[] = []
  // Depth-first search for a path that comes back to where it started.
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of edges.get(at)?.keys() ?? []) {
      if (next === start) circles.push([...path, next].join(' → '))
      else if (!path.includes(next) && path.length < 8) walk(start, next, [...path, next])
    }
  }
  for (const start of edges.keys()) walk(start, start, [start])
  expect(circles).toEqual([])
})

test('only src/queue writes SQL, opens a transaction or imports the database drivers', () => {
  const outside = files.filter((f) => folderOf(f.path) !== 'queue')
  const offenders = outside
    .filter(
      (f) =>
        /from '(drizzle-orm[^']*|bun:sqlite)'/.test(f.text) ||
        /\btransaction\(/.test(f.text) ||
        /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/.test(f.text),
    )
    .map((f) => relative(SRC, f.path))
  expect(offenders).toEqual([])
})

test('the check sees the imports it is about (a folder graph with the expected layers)', () => {
  const edges = folderEdges()
  // Doors depend on the app; the app and the dispatcher on the queue; the queue on no door.
  expect(edges.get('slack')?.has('app')).toBe(true)
  expect(edges.get('dispatcher')?.has('queue')).toBe(true)
  expect([...(edges.get('queue')?.keys() ?? [])]).not.toContain('slack')
})

// Bun takes tsconfig.json from the working directory, not from the file: a page module that
// relied on tsconfig's jsxImportSource failed to load when the bot ran from any other folder.
test('every JSX module names its runtime itself, so the bot starts from any working directory', () => {
  const tsx = files.filter((f) => f.path.endsWith('.tsx'))
  expect(tsx.length).toBeGreaterThan(0)
  const without = tsx
    .filter((f) => !f.text.startsWith('/** @jsxImportSource hono/jsx */'))
    .map((f) => relative(SRC, f.path))
  expect(without).toEqual([])
})
