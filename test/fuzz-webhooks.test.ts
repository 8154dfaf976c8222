// Fuzzing POST /github/<project>: random and hostile bodies and headers, signed and not. Every
// answer is one of the documented statuses with a JSON reason, never a 500; only a verified,
// matching delivery queues anything (exactly one row, once per delivery id); and every param a
// payload carries reaches a real bash as exactly one literal word.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { renderCommand } from '../src/syntax/template.ts'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { SOAK, seededRandom } from './support/fault-config.ts'
import { pullRequest } from './support/github.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy: {run: "printf '%s\\\\0' [branch] [title]"}
github:
  body_limit: 64KiB
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref, title: pull_request.title}, delay_seconds: 3600}
`
const SECRET = 'fuzz-secret'
const ALLOWED = new Set([200, 202, 400, 401, 404, 413, 422])
// As GitHub signs: an HMAC of the raw body (octokit's sign() refuses empty bodies, GitHub does not).
const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const HOSTILE = [
  'main',
  'x;touch /tmp/pwned',
  '$(id)',
  '`id`',
  "'",
  '"',
  '\\',
  "a'b",
  '--help',
  '-rf',
  '*',
  '~',
  '$IFS',
  '${PATH}',
  'é',
  '😀',
  '\u202e',
  '\u200b',
  '中文',
  '\n',
  '\r',
  '\x00',
  '\x1b[31m',
  ' ',
  '',
  'a'.repeat(600),
  '../../etc/passwd',
]

function randomValue(rnd: ReturnType<typeof seededRandom>, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]) => xs[rnd.int(0, xs.length - 1)]!
  switch (rnd.int(0, depth > 3 ? 3 : 6)) {
    case 0:
      return pick(HOSTILE)
    case 1:
      return rnd.int(-1e6, 1e6)
    case 2:
      return pick([true, false, null])
    case 3:
      return Array.from({ length: rnd.int(1, 4) }, () => pick(HOSTILE)).join('')
    case 4:
      return Array.from({ length: rnd.int(0, 3) }, () => randomValue(rnd, depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: rnd.int(0, 4) }, () => [
          pick(['ref', 'action', 'pull_request', 'merged', 'base', 'head', 'title', pick(HOSTILE)]),
          randomValue(rnd, depth + 1),
        ]),
      )
  }
}

/** A delivery: mostly plausible pull requests with hostile fields, sometimes garbage. */
async function randomDelivery(rnd: ReturnType<typeof seededRandom>, i: number) {
  const pick = <T>(xs: readonly T[]) => xs[rnd.int(0, xs.length - 1)]!
  let body: string
  switch (rnd.int(0, 5)) {
    case 0:
      body = String.fromCharCode(
        ...Array.from({ length: rnd.int(0, 200) }, () => rnd.int(0, 0xffff)),
      )
      break
    case 1:
      body = JSON.stringify(randomValue(rnd))
      break
    case 2:
      body = pick([
        '',
        '{',
        '[]',
        'null',
        '"x"',
        '{"a":',
        '{}'.repeat(1000),
        '['.repeat(5000) + ']'.repeat(5000),
      ])
      break
    default: {
      const pr = pullRequest({
        head: pick(HOSTILE),
        base: pick(['main', 'main', 'other', pick(HOSTILE)]),
        merged: rnd.next() < 0.8,
      })
      ;(pr.pull_request as Record<string, unknown>).title = pick(HOSTILE)
      if (rnd.next() < 0.2)
        (pr as Record<string, unknown>).action = pick(['opened', 'closed', pick(HOSTILE)])
      body = JSON.stringify(pr)
    }
  }
  const headers: Record<string, string> = {
    'content-type': pick([
      'application/json',
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]),
  }
  const event = pick([
    'pull_request',
    'pull_request',
    'pull_request',
    'push',
    'ping',
    'weird event',
    '',
  ])
  if (event) headers['x-github-event'] = event
  if (rnd.next() < 0.95)
    headers['x-github-delivery'] = rnd.next() < 0.1 ? 'same-id' : `d-${i}-${rnd.int(0, 1e9)}`
  const sig = rnd.int(0, 9)
  if (sig <= 6) headers['x-hub-signature-256'] = sign(SECRET, body)
  else if (sig === 7) headers['x-hub-signature-256'] = sign('wrong', body)
  // Header values can only be printable (a client cannot even send the rest).
  else if (sig === 8)
    headers['x-hub-signature-256'] = pick([
      'sha256=',
      'sha256=zz',
      'md5=abc',
      ...HOSTILE.filter((x) => /^[\x20-\x7e]*$/.test(x)),
    ])
  const project =
    rnd.next() < 0.9 ? 'site' : pick(['nope', '..%2f..', 'constructor', '__proto__', '%00'])
  return { project, init: { method: 'POST', headers, body } }
}

test('random and hostile deliveries: documented answers only, never a 500; rows only for verified matches; params stay literal', async () => {
  h = startHarness(YAML, { GITHUB_WEBHOOK_SECRET: SECRET })
  const app = createWebhookApp(h.ctx)
  const rnd = seededRandom('fuzz-webhooks')
  // The queue as the test sees it; every delivery schedules the same job type, so an accepted one
  // adds a row or replaces the pending one (the scheduling rules), and a refused one changes nothing.
  const queue = () =>
    JSON.stringify(
      sqliteOf(h.ctx).sqlite.query('select id, state, params from runs order by id').all(),
    )
  const n = SOAK ? 20_000 : 1_500
  const statuses = new Map<number, number>()
  const accepted: Record<string, string>[] = []
  for (let i = 0; i < n; i++) {
    const { project, init } = await randomDelivery(rnd, i)
    const before = queue()
    const res = await app.request(`/github/${project}`, init)
    const text = await res.text()
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    const where = `delivery ${i} (seed ${rnd.seed}): ${res.status} ${text.slice(0, 200)}`
    expect(ALLOWED.has(res.status), where).toBe(true)
    const body = JSON.parse(text) as { outcome?: string; error?: string; runs?: { run: number }[] }
    expect(typeof (body.outcome ?? body.error), where).toBe('string')
    expect(text, where).not.toMatch(/\n\s+at |stack/)
    if (res.status === 200 && body.outcome === 'queued') {
      // The run it names now holds exactly this delivery's values.
      const pr = (
        JSON.parse(init.body) as { pull_request: { head: { ref: string }; title: string } }
      ).pull_request
      const row = sqliteOf(h.ctx)
        .sqlite.query('select params from runs where id = ?')
        .get(body.runs![0]!.run) as { params: string }
      expect(JSON.parse(row.params), where).toEqual({ branch: pr.head.ref, title: pr.title })
      accepted.push(JSON.parse(row.params))
    } else {
      expect(queue(), where).toBe(before)
    }
  }
  // The run found plenty of every kind of answer, including accepted ones.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(10)
  expect(statuses.get(401) ?? 0).toBeGreaterThan(10)
  expect(accepted.length).toBeGreaterThan(10)

  // Whatever a payload carried, bash saw exactly the values, as words, nothing more.
  for (const params of accepted.slice(0, 60)) {
    const command = renderCommand("printf '%s\\0' [branch] [title]", params)
    const proc = Bun.spawn(['bash', '-c', command], { stdout: 'pipe', stderr: 'pipe', cwd: '/tmp' })
    const out = await new Response(proc.stdout).text()
    await proc.exited
    expect(out.split('\0').slice(0, -1)).toEqual([params.branch!, params.title!])
  }
}, 120_000)
