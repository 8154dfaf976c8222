// Out-of-office dates of a support route, as rows (a restart keeps them): the `out-of-office` commands
// write them, the support path reads them inside the transaction that stores the repost.
import { eq } from 'drizzle-orm'
import type { AwayWindow } from '../commands/away.ts'
import type { Db } from './db.ts'
import { supportAway } from './schema.ts'

/** The route the out-of-office commands are about: the one reposting to the tech-support channel. */
const TECH_SUPPORT = 'tech-support'

export function getAway(
  db: Db,
  route = TECH_SUPPORT,
): (AwayWindow & { setBy: string }) | undefined {
  const row = db.select().from(supportAway).where(eq(supportAway.route, route)).get()
  return row && { startsOn: row.startsOn, endsOn: row.endsOn, setBy: row.setBy }
}

/** Marks the route out of office for the window (replacing any earlier one). */
export function setAway(
  db: Db,
  now: number,
  w: AwayWindow,
  user: string,
  route = TECH_SUPPORT,
): void {
  const row = { route, startsOn: w.startsOn, endsOn: w.endsOn, setBy: user, setAt: now }
  db.insert(supportAway)
    .values(row)
    .onConflictDoUpdate({ target: supportAway.route, set: row })
    .run()
}

/** True when the route had a window to clear. */
export function clearAway(db: Db, route = TECH_SUPPORT): boolean {
  return (
    db
      .delete(supportAway)
      .where(eq(supportAway.route, route))
      .returning({ route: supportAway.route })
      .all().length > 0
  )
}
