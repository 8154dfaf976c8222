// Out-of-office dates of a support route, on PostgreSQL.
import { eq } from 'drizzle-orm'
import type { AwayWindow } from '../../commands/away.ts'
import { first, type PgDb } from './db.ts'
import { supportAway } from './schema.ts'

/** The route the out-of-office commands are about: the one reposting to the tech-support channel. */
const TECH_SUPPORT = 'tech-support'

export async function getAway(db: PgDb, route = TECH_SUPPORT) {
  const row = await first(db.select().from(supportAway).where(eq(supportAway.route, route)))
  return row && { startsOn: row.startsOn, endsOn: row.endsOn, setBy: row.setBy }
}

export async function setAway(
  db: PgDb,
  now: number,
  w: AwayWindow,
  user: string,
  route = TECH_SUPPORT,
) {
  const row = { route, startsOn: w.startsOn, endsOn: w.endsOn, setBy: user, setAt: now }
  await db
    .insert(supportAway)
    .values(row)
    .onConflictDoUpdate({ target: supportAway.route, set: row })
}

export const clearAway = async (db: PgDb, route = TECH_SUPPORT) =>
  (
    await db
      .delete(supportAway)
      .where(eq(supportAway.route, route))
      .returning({ route: supportAway.route })
  ).length > 0
