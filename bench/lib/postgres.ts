// The PostgreSQL server benchmarks use: EBMBOT_BENCH_DATABASE_URL, else the local one; each
// measurement gets a schema of its own, dropped at the end, so runs never see each other's rows.
import postgres from 'postgres'

const SERVER = process.env.EBMBOT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const schemas: string[] = []

/** Whether the server answers at all (benchmarks that need it say so and skip otherwise). */
export async function postgresAnswers(): Promise<boolean> {
  const sql = postgres(SERVER, { max: 1, connect_timeout: 2, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** A URL of the server whose search_path is a new, empty schema. */
export async function freshSchemaUrl(): Promise<string> {
  const name = `ebmbot_bench_${process.pid}_${schemas.length}`
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`)
  } finally {
    await admin.end()
  }
  schemas.push(name)
  const u = new URL(SERVER)
  u.searchParams.set('search_path', name)
  return u.toString()
}

export async function dropSchemas(): Promise<void> {
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} })
  try {
    for (const s of schemas.splice(0)) await admin.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
  } finally {
    await admin.end()
  }
}
