// The command line over PostgreSQL: with DATABASE_URL set, piped `ebmbot chat` runs a job and
// reports it, the run is kept in the database (no SQLite file is made), `migrate` migrates it and
// names it without its password, and a URL of another kind is refused with the reason.
import { afterAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { botEnv, runBot } from './support/bot.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

/** A schema of its own, its URL carrying a password (trust authentication ignores a wrong one). */
async function databaseUrl(): Promise<{ url: string; password: string }> {
  const u = new URL(await freshSchemaUrl())
  if (!u.password) u.password = 'pw-never-shown-4711'
  return { url: u.toString(), password: decodeURIComponent(u.password) }
}

test('piped chat with DATABASE_URL runs the job, reports it, and keeps the run in PostgreSQL', async () => {
  const state = tempDir()
  const { url, password } = await databaseUrl()
  const r = await runBot(['chat'], {
    env: botEnv(state, { DATABASE_URL: url, EBMBOT_LOG_LEVEL: 'debug' }),
    input: 'demo hello world\n',
  })
  expect(r.stderr).not.toContain(password)
  expect(r.stdout).not.toContain(password)
  expect(r.code).toBe(0)
  expect(r.stdout).toContain('Hello, world!')
  expect(r.stdout).toContain('(🤞 accepted: run 1)')
  expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<{ job_type: string; state: string }[]>`SELECT job_type, state FROM runs`
    expect([...rows]).toEqual([{ job_type: 'demo_hello', state: 'succeeded' }])
  } finally {
    await sql.end()
  }
  // A later session finds the history there.
  const again = await runBot(['chat'], {
    env: botEnv(state, { DATABASE_URL: url }),
    input: 'demo hello again\n',
  })
  expect(again.stdout).toContain('(🤞 accepted: run 2)')
})

test('migrate with DATABASE_URL migrates PostgreSQL and logs where, without the password', async () => {
  const state = tempDir()
  const { url, password } = await databaseUrl()
  const r = await runBot(['migrate'], { env: botEnv(state, { DATABASE_URL: url }) })
  expect(r.code).toBe(0)
  expect(r.stderr + r.stdout).toContain('migrate.done')
  expect(r.stderr + r.stdout).toContain(new URL(url).host)
  expect(r.stderr + r.stdout).not.toContain(password)
  expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM "__drizzle_migrations"`
    expect(row?.n).toBeGreaterThan(0)
  } finally {
    await sql.end()
  }
})

test('a DATABASE_URL that is not PostgreSQL is refused with the reason, and nothing is created', async () => {
  const state = tempDir()
  const r = await runBot(['chat'], {
    env: botEnv(state, { DATABASE_URL: 'mysql://u:p@127.0.0.1/x' }),
    input: 'demo hello world\n',
  })
  expect(r.code).toBe(2)
  expect(r.stderr).toContain('DATABASE_URL must be a postgres:// (or postgresql://) URL')
  expect(existsSync(join(state, 'ebmbot.db'))).toBe(false)
})
