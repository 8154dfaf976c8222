// The log masks every secret the bot knows, not only its own tokens: a job's `secret: true`
// variable, a project's webhook secret, the Metaflow auth key, also where JSON quoting of a
// log field would have escaped them out of recognition.
import { afterAll, expect, test } from 'bun:test'
import { startHarness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(cleanupTemp)

const YAML = `
namespaces:
  demo:
    jobs:
      deploy: {run: 'true', env: [{name: DEPLOY_TOKEN, secret: true}]}
    commands: [{pattern: deploy, job: deploy}]
github:
  projects:
    site: {secret_env: SITE_HOOK_SECRET, triggers: []}
metaflow:
  service_url: http://127.0.0.1:9
  auth_key_env: MF_KEY
`

test('log lines mask job secrets, project webhook secrets, the Metaflow auth key and secrets holding quotes or backslashes', async () => {
  const quoted = 'pa"ss\\\\word-1234'
  const h = await startHarness(YAML, {
    DEPLOY_TOKEN: quoted,
    SITE_HOOK_SECRET: 'hook-5151-secret',
    MF_KEY: 'mf-6161-auth-key',
  })
  try {
    h.ctx.log.info('test.line', {
      a: `token ${quoted}`,
      b: 'hook-5151-secret in a url',
      m: 'key=mf-6161-auth-key',
    })
    h.ctx.log.child({ c: quoted }).warn('test.child')
    const lines = h.logLines.filter((l) => l.includes('event=test.'))
    expect(lines).toHaveLength(2)
    const all = lines.join('\n')
    expect(all).not.toContain('ss\\\\word')
    expect(all).not.toContain('ss\\\\\\\\word')
    expect(all).not.toContain('hook-5151')
    expect(all).not.toContain('mf-6161')
    expect(all.match(/\[redacted\]/g)).toHaveLength(4)
  } finally {
    await h.stop()
  }
})
