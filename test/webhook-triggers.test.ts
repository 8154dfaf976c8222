// Pure webhook logic as tables: which deliveries fire which triggers (and why not), payload
// params, signatures over raw bytes, callback tokens, and the body size guard.
import { sign } from '@octokit/webhooks-methods'
import { describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import {
  callbackExpiry,
  signCallbackToken,
  verifyCallbackToken,
} from '../src/dispatcher/callback-token.ts'
import { readLimited } from '../src/webhooks/body-limit.ts'
import { globMatch, matchTriggers, paramProblem, payloadField } from '../src/webhooks/triggers.ts'
import { verifySignature } from '../src/webhooks/verify-signature.ts'
import { configFrom } from './support/configs.ts'
import { pullRequest, push } from './support/github.ts'

const CONFIG = configFrom(`
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy: {run: 'echo deploy [branch]'}
      tag: {run: 'echo tag [tag]'}
      smoke: {run: 'echo smoke [url]'}
      note: {run: 'echo note'}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: [main, 'release/*'], namespace: site, job: deploy, params: {branch: pull_request.head.ref}}
        - {event: push, ref: 'refs/tags/v*', namespace: site, job: tag, params: {tag: ref}, channel: '#tags'}
        - {event: workflow_run, action: completed, conclusion: success, where: {workflow_run.name: CI}, namespace: site, job: smoke, params: {url: workflow_run.html_url}}
        - {event: workflow_run, action: completed, conclusion: [failure, timed_out], namespace: site, job: note}
`)
const site = CONFIG.github!.projects.site!
const fired = (event: string, payload: unknown) => {
  const r = matchTriggers(site, event, payload)
  return r.kind === 'fired'
    ? r.fired.map((f) => `${f.trigger.jobType} ${JSON.stringify(f.params)}`)
    : `${r.kind}: ${r.reason}`
}
const run = (o: Record<string, unknown>) => ({
  action: 'completed',
  workflow_run: {
    name: 'CI',
    conclusion: 'success',
    head_branch: 'main',
    html_url: 'https://github.com/acme/site/actions/runs/1',
    ...o,
  },
})

describe('trigger matching', () => {
  test.each([
    [
      'merged PR into main',
      'pull_request',
      pullRequest({ head: 'feat/a' }),
      ['site_deploy {"branch":"feat/a"}'],
    ],
    [
      'merged PR into a release branch (glob)',
      'pull_request',
      pullRequest({ base: 'release/2.1' }),
      ['site_deploy {"branch":"feature/x"}'],
    ],
    [
      '* does not cross /',
      'pull_request',
      pullRequest({ base: 'release/2.1/hotfix' }),
      'no_match: trigger 0 (pull_request -> site_deploy): base_branch is "release/2.1/hotfix", trigger wants main or release/*',
    ],
    [
      'closed without merging',
      'pull_request',
      pullRequest({ merged: false }),
      'no_match: trigger 0 (pull_request -> site_deploy): the pull request was not merged',
    ],
    [
      'opened, not closed',
      'pull_request',
      pullRequest({ action: 'opened', merged: false }),
      'no_match: trigger 0 (pull_request -> site_deploy): action is "opened", trigger wants closed',
    ],
    [
      'merged into another branch',
      'pull_request',
      pullRequest({ base: 'develop' }),
      'no_match: trigger 0 (pull_request -> site_deploy): base_branch is "develop", trigger wants main or release/*',
    ],
    ['a tag push', 'push', push('refs/tags/v1.2.0'), ['site_tag {"tag":"refs/tags/v1.2.0"}']],
    [
      'a branch push',
      'push',
      push('refs/heads/main'),
      'no_match: trigger 1 (push -> site_tag): ref is "refs/heads/main", trigger wants refs/tags/v*',
    ],
    [
      'an event without triggers',
      'issues',
      { action: 'opened' },
      'no_match: no trigger for issues events (triggers: pull_request, push, workflow_run)',
    ],
    [
      'CI succeeded',
      'workflow_run',
      run({}),
      ['site_smoke {"url":"https://github.com/acme/site/actions/runs/1"}'],
    ],
    [
      'CI failed fires only the failure trigger',
      'workflow_run',
      run({ conclusion: 'failure' }),
      ['site_note {}'],
    ],
    [
      'another workflow succeeded',
      'workflow_run',
      run({ name: 'Docs' }),
      'no_match: trigger 2 (workflow_run -> site_smoke): workflow_run.name is "Docs", trigger wants CI; trigger 3 (workflow_run -> site_note): conclusion is "success", trigger wants failure or timed_out',
    ],
    [
      'a param field missing from the payload',
      'pull_request',
      { action: 'closed', pull_request: { merged: true, base: { ref: 'main' } } },
      'no_match: trigger 0 (pull_request -> site_deploy): the payload has no pull_request.head.ref for [branch]',
    ],
  ] as const)('%s', (_, event, payload, want) => {
    expect(fired(event, payload)).toEqual(want as unknown as string[])
  })

  test('a hostile branch name is a param like any other (quoting makes it harmless)', () => {
    expect(fired('pull_request', pullRequest({ head: 'x;touch /tmp/p' }))).toEqual([
      'site_deploy {"branch":"x;touch /tmp/p"}',
    ])
  })
  test('a param with a newline or escape is refused, not trimmed', () => {
    for (const head of ['x\ntouch /tmp/p', 'x\u001b[2J', 'a\tb']) {
      const r = matchTriggers(site, 'pull_request', pullRequest({ head }))
      expect(r.kind).toBe('bad_param')
      expect(r.kind === 'bad_param' && r.reason).toContain(
        '[branch] from pull_request.head.ref contains control characters',
      )
    }
    const obj = matchTriggers(site, 'pull_request', {
      ...pullRequest(),
      pull_request: { ...pullRequest().pull_request, head: { ref: { evil: 1 } } },
    })
    expect(obj.kind === 'bad_param' && obj.reason).toContain('is not a single value')
  })
  test("channel: the trigger's own, else the namespace default", () => {
    expect(site.triggers.map((t) => t.channel)).toEqual(['#site', '#tags', '#site', '#site'])
  })
})

describe('helpers', () => {
  test.each([
    ['main', 'main', true],
    ['main', 'mainline', false],
    ['release/*', 'release/1.0', true],
    ['release/*', 'release/1.0/x', false],
    ['release/**', 'release/1.0/x', true],
    ['v?.0', 'v2.0', true],
    ['v1.0', 'v1x0', false], // dots are literal
    ['refs/tags/(x)', 'refs/tags/(x)', true],
  ] as const)('glob %s on %s: %p', (g, v, want) => expect(globMatch(g, v)).toBe(want))

  test('payload paths reach nested fields and list items, never inherited properties', () => {
    const p = { a: { b: [{ c: 'x' }] }, n: 0 }
    expect(payloadField(p, 'a.b.0.c')).toBe('x')
    expect(payloadField(p, 'n')).toBe(0)
    expect(payloadField(p, 'a.missing.c')).toBeUndefined()
    expect(payloadField(p, 'constructor')).toBeUndefined()
    expect(payloadField(p, 'a.__proto__')).toBeUndefined()
  })
  test.each([
    ['feature/x', null],
    ['x;touch /tmp/p', null],
    ['', 'is empty'],
    ['a'.repeat(513), 'is longer than 512 characters'],
    ['a\u2028b', 'contains control characters (newlines, tabs, escapes)'],
  ])('param value %p: %p', (v, want) => expect(paramProblem(v)).toBe(want))
})

describe('signature verification (raw bytes, constant time)', () => {
  const body = '{"zen":"Design for failure.","note":"caf\u00e9"}'
  const bytes = new TextEncoder().encode(body)
  const h = (o: Record<string, string>) => new Headers(o)
  test('a correct SHA-256 signature passes; a tampered body, a wrong secret or a bad format fail', async () => {
    const good = await sign('s3cret', body)
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bytes,
        headers: h({ 'x-hub-signature-256': good }),
      }),
    ).toEqual({ ok: true, algorithm: 'sha256' })
    expect(
      await verifySignature({
        secret: 's3cret',
        body: new TextEncoder().encode(body.replace('failure', 'success')),
        headers: h({ 'x-hub-signature-256': good }),
      }),
    ).toEqual({ ok: false, problem: 'mismatch' })
    expect(
      await verifySignature({
        secret: 'other',
        body: bytes,
        headers: h({ 'x-hub-signature-256': good }),
      }),
    ).toEqual({ ok: false, problem: 'mismatch' })
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bytes,
        headers: h({ 'x-hub-signature-256': good.slice(0, -2) }),
      }),
    ).toEqual({ ok: false, problem: 'malformed' })
    expect(await verifySignature({ secret: 's3cret', body: bytes, headers: h({}) })).toEqual({
      ok: false,
      problem: 'missing',
    })
    expect(
      await verifySignature({
        secret: undefined,
        body: bytes,
        headers: h({ 'x-hub-signature-256': good }),
      }),
    ).toEqual({ ok: false, problem: 'no_secret' })
  })
  test('legacy SHA-1 only where allowed, and never as a fallback for a wrong SHA-256', async () => {
    const sha1 = `sha1=${createHmac('sha1', 's3cret').update(bytes).digest('hex')}`
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bytes,
        headers: h({ 'x-hub-signature': sha1 }),
      }),
    ).toEqual({ ok: false, problem: 'missing' })
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bytes,
        headers: h({ 'x-hub-signature': sha1 }),
        allowSha1: true,
      }),
    ).toEqual({ ok: true, algorithm: 'sha1' })
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bytes,
        headers: h({ 'x-hub-signature': sha1, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
        allowSha1: true,
      }),
    ).toEqual({ ok: false, problem: 'mismatch' })
  })
  test('bytes that are not UTF-8 never verify (GitHub sends UTF-8 JSON)', async () => {
    const bad = new Uint8Array([0x7b, 0xff, 0x7d])
    const sig = `sha256=${createHmac('sha256', 's3cret').update(bad).digest('hex')}`
    expect(
      await verifySignature({
        secret: 's3cret',
        body: bad,
        headers: h({ 'x-hub-signature-256': sig }),
      }),
    ).toEqual({ ok: false, problem: 'mismatch' })
  })
})

describe('callback tokens', () => {
  const now = Date.UTC(2030, 0, 1)
  const token = signCallbackToken('key', 42, now + 60_000)
  test('valid for its run until it expires', () => {
    expect(verifyCallbackToken('key', 42, token, now)).toEqual({
      ok: true,
      expiresAt: now + 60_000,
    })
    expect(verifyCallbackToken('key', 42, token, now + 60_000)).toEqual({
      ok: false,
      status: 403,
      problem: 'expired',
    })
  })
  test('another run, another key, a changed expiry or signature: 403; garbage: 400', () => {
    expect(verifyCallbackToken('key', 43, token, now)).toMatchObject({
      status: 403,
      problem: 'bad_signature',
    })
    expect(verifyCallbackToken('other', 42, token, now)).toMatchObject({
      status: 403,
      problem: 'bad_signature',
    })
    const [exp, sig] = token.split('.') as [string, string]
    expect(verifyCallbackToken('key', 42, `${Number(exp) + 3600}.${sig}`, now)).toMatchObject({
      status: 403,
      problem: 'bad_signature',
    })
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11)
    expect(verifyCallbackToken('key', 42, `${exp}.${flipped}`, now)).toMatchObject({
      status: 403,
      problem: 'bad_signature',
    })
    // Every one of the 43 characters matters, the last one included (base64's spare bits).
    for (let i = 0; i < sig.length; i++) {
      const other = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1)
      expect(verifyCallbackToken('key', 42, `${exp}.${other}`, now).ok).toBe(false)
    }
    for (const bad of [undefined, '', 'abc', `${exp}.${sig}x`, `${exp}.`, `-1.${sig}`]) {
      expect(verifyCallbackToken('key', 42, bad, now)).toMatchObject({
        status: 400,
        problem: 'malformed',
      })
    }
  })
  test('expiry: an hour after the start, or the job timeout when longer', () => {
    expect(callbackExpiry(1000, 60)).toBe(1000 + 3600_000)
    expect(callbackExpiry(1000, 7200)).toBe(1000 + 7200_000)
  })
})

describe('body limit', () => {
  const chunked = (chunks: number, size: number) => {
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ === chunks) c.close()
        else c.enqueue(new Uint8Array(size))
      },
    })
    return { body, sent: () => sent }
  }
  test('refuses on Content-Length without reading the body', async () => {
    const s = chunked(100, 1024)
    const req = new Request('http://x/', {
      method: 'POST',
      body: s.body,
      headers: { 'content-length': String(100 * 1024) },
      duplex: 'half',
    } as RequestInit)
    expect(await readLimited(req, 10 * 1024)).toBeNull()
    expect(s.sent()).toBeLessThanOrEqual(1)
  })
  test('stops reading a streamed body as soon as it passes the limit', async () => {
    const s = chunked(1000, 1024)
    const req = new Request('http://x/', {
      method: 'POST',
      body: s.body,
      duplex: 'half',
    } as RequestInit)
    expect(await readLimited(req, 10 * 1024)).toBeNull()
    expect(s.sent()).toBeLessThan(20)
  })
  test('returns the exact bytes within the limit', async () => {
    const req = new Request('http://x/', { method: 'POST', body: 'héllo' })
    expect(new TextDecoder().decode((await readLimited(req, 1024))!)).toBe('héllo')
  })
})
