// What a reload applies at once and what it says needs a restart: the running context gets the
// new namespaces and commands; a changed support route or Metaflow section is named; a config
// that does not load changes nothing.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { loadConfigText } from '../src/config/load.ts'
import { reloadConfig } from '../src/service/reload.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'

const BASE = `
namespaces:
  t:
    jobs:
      hi: {run: 'echo hi', report_stdout: true}
    commands:
      - {pattern: hi, job: hi}
`
let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const loader = (yaml: string) => () =>
  loadConfigText(yaml, 'new.yaml', { stateDir: h.ctx.env.stateDir, baseDir: h.ctx.env.stateDir })

test('a new command answers at once; nothing needs a restart', async () => {
  h = await startHarness(BASE)
  expect((await h.say('t bye')).replies[0]).toContain("Sorry, I didn't understand")
  const next = `${BASE}      - {pattern: bye, job: hi}\n`
  expect(reloadConfig(h.ctx, loader(next))).toEqual({ ok: true, needsRestart: [] })
  expect((await h.say('t bye')).accepted).toBe(true)
})

test('a changed support route is applied only after a restart, and the outcome names it', async () => {
  h = await startHarness(BASE)
  const next = `settings: {support_routes: [{keywords: [help-ops], reaction: sos}]}\n${BASE}`
  const r = reloadConfig(h.ctx, loader(next))
  expect(r).toEqual({ ok: true, needsRestart: ['settings.support_routes'] })
})

test("a new run_as or containment is named as needing a restart (the jobs' user is fixed at start)", async () => {
  h = await startHarness(BASE)
  const next = `settings: {run_as: nobody, containment: sweep}\n${BASE}`
  const r = reloadConfig(h.ctx, loader(next))
  expect(r).toEqual({ ok: true, needsRestart: ['settings.run_as', 'settings.containment'] })
})

test('a config that does not load is refused with its reason on one line; the old one stays', async () => {
  h = await startHarness(BASE)
  const before = h.ctx.config
  const r = reloadConfig(h.ctx, loader(`${BASE}      - {pattern: hi, job: nope}\n`))
  expect(r.ok).toBe(false)
  expect(!r.ok && r.error).toMatch(/^new\.yaml:\d+: namespaces\.t\.commands\[1\]/)
  expect(!r.ok && r.error).not.toContain('\n')
  expect(h.ctx.config).toBe(before)
  expect((await h.say('t hi')).accepted).toBe(true)
})
