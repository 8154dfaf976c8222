// The `github` config section: what compiles, and refusals that name file, key path and line.
import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadConfigFile, loadConfigText } from '../src/config/load.ts'
import { configErrorOf } from './support/configs.ts'
import { cleanupTemp, REPO, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const BASE = `namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy:
        run: ./deploy.sh [branch]
github:
  projects:
    site:
      triggers:
        - event: pull_request
          action: closed
          merged: true
          base_branch: main
          namespace: site
          job: deploy
          params: {branch: pull_request.head.ref}
          delay_seconds: 60
`

const errorOf = (yaml: string) => configErrorOf(yaml)

describe('valid github sections', () => {
  test('compile with defaults: 5 MiB limit, SHA-256 only, the namespace channel', () => {
    const c = loadConfigText(BASE, 'c', { stateDir: '/s' })
    const p = c.github!.projects.site!
    expect(p).toMatchObject({
      name: 'site',
      allowSha1: false,
      bodyLimit: 5 * 1024 * 1024,
      secretEnv: undefined,
    })
    expect(p.triggers[0]).toEqual({
      index: 0,
      event: 'pull_request',
      action: ['closed'],
      merged: true,
      baseBranch: ['main'],
      ref: undefined,
      conclusion: undefined,
      where: {},
      namespace: 'site',
      job: 'deploy',
      jobType: 'site_deploy',
      params: { branch: 'pull_request.head.ref' },
      delaySeconds: 60,
      channel: '#site',
    })
  })
  test('sizes with units, a per-project limit and secret variable', () => {
    const c = loadConfigText(
      BASE.replace('github:\n', 'github:\n  body_limit: 512KiB\n')
        .replace(
          '    site:\n      triggers',
          '    site:\n      secret_env: SITE_SECRET\n      allow_sha1: true\n      body_limit: 1MB\n      triggers',
        )
        .replace('projects:\n', 'projects:\n    other: {}\n'),
      'c',
      { stateDir: '/s' },
    )
    expect(c.github!.projects.site).toMatchObject({
      secretEnv: 'SITE_SECRET',
      allowSha1: true,
      bodyLimit: 1_000_000,
    })
    expect(c.github!.projects.other!.bodyLimit).toBe(512 * 1024)
  })
  test('a config without github has none (and no web server is wanted for it)', () => {
    expect(loadConfigText('namespaces: {}\n', 'c', { stateDir: '/s' }).github).toBeUndefined()
  })
  test('examples/github.yaml loads', () => {
    const c = loadConfigFile(join(REPO, 'examples', 'github.yaml'), { stateDir: tempDir() })
    expect(Object.keys(c.github!.projects)).toEqual(['website'])
    expect(
      c.github!.projects.website!.triggers.map((t) => `${t.event} -> ${t.jobType} in ${t.channel}`),
    ).toEqual([
      'pull_request -> website_deploy in #website',
      'release -> website_release-notes in #releases',
      'workflow_run -> website_smoke in #website',
    ])
  })
})

describe('refusals name the file, key path and line', () => {
  test.each([
    [
      'a missing job',
      (y: string) => y.replace('          job: deploy', '          job: deplo'),
      'conf.yaml:16: github.projects.site.triggers[0].job: no job "deplo" in namespace site (jobs: deploy)',
    ],
    [
      'a missing namespace',
      (y: string) => y.replace('          namespace: site', '          namespace: web'),
      'conf.yaml:15: github.projects.site.triggers[0].namespace: no namespace "web" (namespaces: site)',
    ],
    [
      'a job placeholder the trigger does not supply',
      (y: string) =>
        y.replace(
          'params: {branch: pull_request.head.ref}',
          'params: {brnch: pull_request.head.ref}',
        ),
      'conf.yaml:17: github.projects.site.triggers[0].params: job deploy uses [branch] but this trigger does not supply it; add params: {branch: <payload field, e.g. pull_request.head.ref>}',
    ],
    [
      'a filter that means nothing for the event',
      (y: string) => y.replace('event: pull_request', 'event: push'),
      'conf.yaml:13: github.projects.site.triggers[0].merged: merged applies to pull_request, pull_request_target events, not push; use where: {<payload field>: <value>} for other fields\n' +
        'conf.yaml:14: github.projects.site.triggers[0].base_branch: base_branch applies to pull_request, pull_request_target, pull_request_review events, not push; use where: {<payload field>: <value>} for other fields',
    ],
    [
      'no channel anywhere',
      (y: string) => y.replace("    default_channel: '#site'\n", ''),
      'conf.yaml:10: github.projects.site.triggers[0]: the run needs a channel to report in: set channel here or namespaces.site.default_channel',
    ],
    [
      'an unknown key',
      (y: string) =>
        y.replace('          merged: true', '          merged: true\n          branch: main'),
      'conf.yaml:14: github.projects.site.triggers[0].branch: unknown key (check the spelling; see docs/config.schema.json for the allowed keys)',
    ],
    [
      'a ping trigger',
      (y: string) =>
        y
          .replace('event: pull_request', 'event: ping')
          .replace(/ {10}merged: true\n {10}base_branch: main\n/, ''),
      'conf.yaml:11: github.projects.site.triggers[0].event: ping is answered by ebmbot itself (200) and cannot trigger a job',
    ],
    [
      'a bad size',
      (y: string) => y.replace('github:\n', 'github:\n  body_limit: 1GB\n'),
      'conf.yaml:8: github.body_limit: bad size "1GB": use bytes or "512KiB", "5MiB", from 1KiB to 25MiB (GitHub\'s own cap)',
    ],
    [
      'a bad payload path',
      (y: string) => y.replace('pull_request.head.ref}', 'pull_request..ref}'),
      'conf.yaml:17: github.projects.site.triggers[0].params.branch: a payload field is a dotted path such as pull_request.head.ref',
    ],
  ])('%s', (_, edit, message) => {
    expect(errorOf(edit(BASE)).message).toBe(message)
  })
})
