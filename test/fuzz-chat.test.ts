// Fuzzing the chat text path: random and hostile text (shell syntax, Slack markup, unicode,
// control characters, Slack-sized input) through clean-up, matching and param capture. The router
// never throws, answers everything with a short clear reply or a well-formed action, stays fast on
// any input, and every captured value reaches a real bash as exactly one literal word.
import { afterAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { route } from '../src/commands/route.ts'
import { matchTokens, parsePattern, type Token } from '../src/syntax/pattern.ts'
import { renderCommand } from '../src/syntax/template.ts'
import { MESSAGE_LIMIT } from '../src/app/door.ts'
import { botEnv, runBot } from './support/bot.ts'
import { configFrom } from './support/configs.ts'
import { SOAK, seededRandom } from './support/fault-config.ts'
import { runs } from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'

afterAll(cleanupTemp)

// Every job prints its params NUL-separated, so bash's view of each word can be compared exactly.
const YAML = `
namespaces:
  op:
    restricted: true
    jobs:
      deploy: {run: "printf '%s\\\\0' [env] [branch]"}
      restart: {run: "true"}
    commands:
      - {pattern: "deploy [env] [branch]", job: deploy}
      - {pattern: "restart", job: restart}
      - {pattern: "cancel deploy", action: cancel_job, job: deploy}
  z:
    jobs:
      three: {run: "printf '%s\\\\0' [a] [b] [c]"}
      one: {run: "printf '%s\\\\0' [v]"}
      sup: {run: "true"}
    commands:
      - {pattern: "x [a] to [b] via [c] now", job: three}
      - {pattern: "say [v]", job: one}
      - {pattern: "hold from [start] to [end]", action: schedule_suppression, job: sup}
`
const config = configFrom(YAML)

const PIECES = [
  // words of the config and the built-ins, so many messages get deep into matching
  'op',
  'OP',
  'z',
  'Z',
  'help',
  'status',
  'remove',
  'job',
  'id',
  'logs',
  'stderr',
  'history',
  'deploy',
  'x',
  'to',
  'via',
  'now',
  'say',
  'hold',
  'from',
  'cancel',
  'restart',
  '09:00',
  '17:30',
  '24:00',
  '1',
  '007',
  '99999999999999999999',
  '-1',
  '1e9',
  '0x10',
  // shell syntax that must stay data
  '$(touch pwned1)',
  '`touch pwned2`',
  ';touch pwned3',
  '&& touch pwned4',
  '| tee pwned5',
  "'",
  '"',
  '\\',
  "'\\''",
  '$IFS',
  '${PATH}',
  '$((1+1))',
  '!!',
  '~',
  '*',
  '?',
  '[a]',
  '[v]',
  '%s',
  '-n',
  '--',
  '>pwned6',
  '<(id)',
  // Slack markup
  '<@UBOT>',
  '<@UBOT|ebmbot>',
  '<@UBOTX>',
  '<@U123>',
  '<https://x.y/z|label>',
  '<https://a.b/c?d=e&f=g>',
  '<mailto:a@b.c|a@b.c>',
  '<!channel>',
  '<#C1|general>',
  'Reminder:',
  // unicode: combining marks, bidi, zero-width, emoji, a lone surrogate, wide and odd-case letters, odd spaces
  'é',
  'e\u0301',
  '\u202e',
  '\u200b',
  '\ufeff',
  '😀',
  '👨‍👩‍👧',
  '\ud800',
  '中文',
  'Ｆｕｌｌ',
  '\u00a0',
  '\u2028',
  '\u3000',
  'ß',
  'İ',
  '\u212a',
  'ﬁ',
  // control characters and punctuation runs
  '\t',
  '\n',
  '\r\n',
  '\x1b[31m',
  '\x07',
  '\x00',
  '...',
  '?!',
  ',,,',
]
const PREFIXES = [
  '',
  'op deploy ',
  'z x ',
  'z say ',
  'z hold from ',
  'logs ',
  'remove job id ',
  '<@UBOT> ',
  'Reminder: z say ',
  'help ',
]
const SEPARATORS = [' ', ' ', ' ', '  ', '\t', '', '\n']

function randomText(rnd: ReturnType<typeof seededRandom>): string {
  const pick = <T>(xs: readonly T[]) => xs[rnd.int(0, xs.length - 1)]!
  const parts: string[] = [pick(PREFIXES)]
  const n = rnd.int(0, 12)
  for (let i = 0; i < n; i++) {
    // Mostly known pieces; sometimes random code points from anywhere in the BMP or beyond.
    parts.push(
      rnd.next() < 0.8
        ? pick(PIECES)
        : String.fromCodePoint(
            ...Array.from({ length: rnd.int(1, 8) }, () =>
              rnd.int(0, rnd.next() < 0.7 ? 0x7f : 0x1ffff),
            ),
          ),
      pick(SEPARATORS),
    )
  }
  return parts.join('')
}

/** The matcher as first written (backtracking), the reference for the linear one on small inputs. */
function referenceMatch(tokens: Token[], words: string[]): Record<string, string> | null {
  const out: Record<string, string> = {}
  const go = (ti: number, wi: number): boolean => {
    if (ti === tokens.length) return wi === words.length
    const t = tokens[ti]!
    if (wi >= words.length) return false
    if (t.kind === 'word') return words[wi]!.toLowerCase() === t.word && go(ti + 1, wi + 1)
    for (let end = wi + 1; end <= words.length - (tokens.length - ti - 1); end++) {
      if (go(ti + 1, end)) {
        out[t.name] = words.slice(wi, end).join(' ')
        return true
      }
    }
    return false
  }
  return go(0, 0) ? out : null
}

type Decision = ReturnType<typeof route>
const asUtf8 = (v: string) => new TextDecoder().decode(new TextEncoder().encode(v))

function ask(
  text: string,
  extra: { isGuest?: boolean; isDirect?: boolean } = {},
): { d: Decision; ms: number } {
  const t = performance.now()
  const d = route(
    { config, botUserId: 'UBOT', botName: 'ebmbot' },
    { text, user: 'U1', isGuest: extra.isGuest ?? false, isDirect: extra.isDirect ?? false },
  )
  return { d, ms: performance.now() - t }
}

/** A reply a person can read: some text, within Slack's readable size, no leaked internals. */
function expectClearReply(text: string, input: string) {
  expect(text.trim().length).toBeGreaterThan(0)
  expect(text.length).toBeLessThanOrEqual(MESSAGE_LIMIT)
  for (const junk of ['undefined', '[object Object]', 'NaN', '    at '])
    if (!input.includes(junk)) expect(text).not.toContain(junk)
}

/** Captured values are whole, cleaned words: no edge or doubled spaces, no line breaks. */
function expectCleanParams(params: Record<string, string>) {
  for (const v of Object.values(params)) {
    expect(v.length).toBeGreaterThan(0)
    expect(v).toBe(v.trim())
    expect(v).not.toMatch(/\s\s|[\n\r\t]/)
  }
}

describe('param capture', () => {
  test('the linear matcher captures exactly what the backtracking one did', () => {
    const rnd = seededRandom('fuzz-match')
    const vocab = ['a', 'b', 'to', 'x']
    for (let i = 0; i < (SOAK ? 200_000 : 20_000); i++) {
      const tokens = parsePattern(
        Array.from({ length: rnd.int(1, 5) }, () =>
          rnd.next() < 0.5 ? `[p${rnd.int(0, 9)}]` : vocab[rnd.int(0, 3)]!,
        ).join(' '),
      )
      if (
        new Set(tokens.filter((t) => t.kind === 'param').map((t) => (t as { name: string }).name))
          .size !== tokens.filter((t) => t.kind === 'param').length
      )
        continue
      const words = Array.from({ length: rnd.int(0, 8) }, () =>
        vocab[rnd.int(0, 3)]!.toUpperCase().slice(0, rnd.int(1, 2)),
      )
      expect(matchTokens(tokens, words)).toEqual(referenceMatch(tokens, words))
    }
  })
})

describe('the router on random and hostile text', () => {
  test('never throws; every answer is a clear reply or a well-formed action', () => {
    const rnd = seededRandom('fuzz-route')
    let schedules = 0
    let slowest = { ms: 0, text: '' }
    for (let i = 0; i < (SOAK ? 100_000 : 5_000); i++) {
      const text = randomText(rnd)
      const who = { isGuest: rnd.next() < 0.2, isDirect: rnd.next() < 0.5 }
      const { d, ms } = ask(text, who)
      // A blow-up in the matcher is slow every time; a pause of a loaded machine is not: a slow
      // answer counts by the best of a few more tries.
      const best = ms < 100 ? ms : Math.min(ms, ...[1, 2, 3].map(() => ask(text, who).ms))
      if (best > slowest.ms) slowest = { ms: best, text }
      expect(typeof d.cleaned).toBe('string')
      if (d.kind === 'reply') expectClearReply(d.text, text)
      if (d.kind === 'schedule') {
        schedules++
        expectCleanParams(d.params)
        const names = d.command.tokens.flatMap((t) => (t.kind === 'param' ? [t.name] : []))
        expect(Object.keys(d.params).sort()).toEqual(names.sort())
      }
      if (d.kind === 'suppress') expectCleanParams({ start: d.start, end: d.end })
    }
    // The generator must reach the scheduling path often, or this proves little about params.
    expect(schedules).toBeGreaterThan(SOAK ? 5_000 : 250)
    expect({ text: slowest.text.slice(0, 200), fast: slowest.ms < 500 }).toEqual({
      text: slowest.text.slice(0, 200),
      fast: true,
    })
  })

  test('Slack-sized messages (40,000 characters), and a 1 MB terminal line, are answered fast and briefly', async () => {
    const words = (w: string, n: number) => Array(n).fill(w).join(' ')
    const texts = {
      'one long word': `z say ${'a'.repeat(40_000)}`,
      'a near miss for three params': `z x ${words('w', 19_990)}`,
      'a near miss with every literal': `z x ${words('to via', 6_660)}`,
      'a long valid deploy': `op deploy ${words('b', 19_990)}`,
      'long unknown text': words('deplyo', 5_700),
      emoji: '😀'.repeat(20_000),
      'combining marks': `z say e${'\u0301'.repeat(39_990)}`,
      mentions: words('<@UBOT|ebmbot>', 2_800),
      links: words('<https://x.y/z|label>', 1_900),
      'a 1 MB line in local chat': 'x'.repeat(1_000_000),
    }
    // In a child with a deadline: a matcher that blows up must fail this test, not hang the suite.
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/support/route-probe.ts`], {
      stdin: new TextEncoder().encode(JSON.stringify({ yaml: YAML, texts })),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const [raw, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ])
    clearTimeout(deadline)
    expect({ code, err: err.slice(0, 500) }).toEqual({ code: 0, err: '' })
    const results = JSON.parse(raw) as Record<
      string,
      { ms: number; kind: string; text?: string; params?: Record<string, string> }
    >
    for (const [shape, r] of Object.entries(results)) {
      expect({ shape, fast: r.ms < 1000 }).toEqual({ shape, fast: true })
      if (r.text !== undefined) expectClearReply(r.text, texts[shape as keyof typeof texts])
      if (r.params) expectCleanParams(r.params)
    }
    expect(results['a long valid deploy']?.params?.env).toBe('b')
  })
})

describe('captured values in a real bash', () => {
  test('each value arrives as one literal word, and nothing in them runs', () => {
    const rnd = seededRandom('fuzz-bash')
    const cwd = tempDir()
    let checked = 0
    for (let i = 0; checked < (SOAK ? 2_000 : 150) && i < 200_000; i++) {
      const { d } = ask(randomText(rnd))
      if (d.kind !== 'schedule') continue
      const values = d.command.tokens.flatMap((t) =>
        t.kind === 'param' ? [d.params[t.name]!] : [],
      )
      // A NUL cannot be part of a process argument at all; such a request fails to start (reported).
      if (values.some((v) => v.includes('\0'))) continue
      const command = renderCommand(d.job.run, d.params)
      const r = Bun.spawnSync(['bash', '-c', command], {
        cwd,
        env: { PATH: process.env.PATH! },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      expect({ command, exit: r.exitCode, stderr: r.stderr.toString() }).toEqual({
        command,
        exit: 0,
        stderr: '',
      })
      // A lone surrogate has no UTF-8 form: bash gets U+FFFD, as any process would.
      expect(r.stdout.toString().split('\0').slice(0, -1)).toEqual(values.map(asUtf8))
      checked++
    }
    expect(checked).toBe(SOAK ? 2_000 : 150)
    // `$(touch pwned1)`, `;touch pwned3` and the rest were printed, never run.
    expect(readdirSync(cwd)).toEqual([])
  })

  test('through the real bot: hostile lines are stored, run and printed literally', async () => {
    const state = tempDir()
    const lines = [
      'say $(touch pwned1) `touch pwned2`',
      'say it\'s "quoted" \\ back\\slash',
      'say ;touch pwned3 && touch pwned4 | tee pwned5 >pwned6',
      'say 👨‍👩‍👧 \u202eevil\u202c e\u0301\u200b',
      'say <https://x.y/z|label> <mailto:a@b.c|a@b.c> <@U123>',
      `say ${'long '.repeat(2000)}end`,
      'm $IFS${PATH} to !! ~ * ? via [a] %s -n -- now',
    ]
    // One job type per line, so no request replaces another while it waits.
    const yaml = [
      'namespaces:',
      '  e:',
      '    jobs:',
      ...lines.map(
        (_, i) =>
          `      j${i}: {run: "printf '%s\\\\0' ${i === lines.length - 1 ? '[a] [b] [c]' : '[v]'}"}`,
      ),
      '    commands:',
      ...lines.map(
        (_l, i) =>
          `      - {pattern: "${i} ${i === lines.length - 1 ? '[a] to [b] via [c] now' : '[v]'}", job: j${i}}`,
      ),
    ].join('\n')
    const input = lines.map((l, i) => `e ${i} ${l.split(' ').slice(1).join(' ')}`).join('\n') + '\n'
    const r = await runBot(['chat', '--config', writeConfig(state, yaml)], {
      env: botEnv(state),
      input,
    })
    expect(r.code).toBe(0)
    const rows = runs(state)
    expect(rows).toHaveLength(lines.length)
    for (const row of rows) {
      expect(row.state).toBe('succeeded')
      const params = JSON.parse(row.params) as Record<string, string>
      const printed = readFileSync(row.stdout_path!, 'utf8').split('\0').slice(0, -1)
      expect(printed).toEqual(Object.values(params))
    }
    expect(JSON.parse(rows.at(-1)!.params)).toEqual({
      a: '$IFS${PATH}',
      b: '!! ~ * ?',
      c: '[a] %s -n --',
    })
    // Nothing in any value ran: the jobs' folder holds no file they could have created.
    expect(readdirSync(`${state}-jobs/workspace/e`)).toEqual([])
  }, 30_000)
})
