// DATABASE_URL as the bot reads it: it selects the backend, it is a secret (the whole URL and its
// password are masked wherever output is shown), and no job inherits it.
import { expect, test } from 'bun:test'
import { readEnvironment, secretValues } from '../src/config/env.ts'
import type { Job } from '../src/config/types.ts'
import { jobEnvironment } from '../src/dispatcher/job-env.ts'

const URL_WITH_PASSWORD = 'postgres://ebmbot:s3cr%40t-pw@db.example.org:5432/ebmbot'

test('DATABASE_URL is read, and both it and its password are among the values masked', () => {
  const env = readEnvironment({ DATABASE_URL: URL_WITH_PASSWORD }, '/tmp')
  expect(env.databaseUrl).toBe(URL_WITH_PASSWORD)
  const masked = secretValues(env)
  expect(masked).toContain(URL_WITH_PASSWORD)
  expect(masked).toContain('s3cr@t-pw')
  expect(readEnvironment({}, '/tmp').databaseUrl).toBeUndefined()
})

test('a job does not inherit DATABASE_URL', () => {
  const job = { env: [] } as unknown as Job
  const env = jobEnvironment(job, { PATH: '/bin', DATABASE_URL: URL_WITH_PASSWORD })
  expect(Object.values(env)).not.toContain(URL_WITH_PASSWORD)
})
