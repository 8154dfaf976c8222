// Out-of-office dates of a support route (behaviour §6), as rows: the `out-of-office` commands
// write them, the support path reads them inside the transaction that stores the repost.
import { eq } from 'drizzle-orm'
import type { AwayStore, AwayWindow } from '../commands/away.ts'
import type { Db } from './db.ts'
import { supportAway } from './schema.ts'

/** The route the out-of-office commands are about: the one reposting to the tech-support channel. */
export const TECH_SUPPORT = 'tech-support'

export function getAway(
  db: Db,
  route = TECH_SUPPORT,
): (AwayWindow & { setBy: string }) | undefined {
  const row = db.select().from(supportAway).where(eq(supportAway.route, route)).get()
  return row && { startsOn: row.startsOn, endsOn: row.endsOn, setBy: row.setBy }
}

/** The store `applyAway` works on, for one user's command at `now`. */
export function awayStore(db: Db, now: number, user: string, route = TECH_SUPPORT): AwayStore {
  return {
    get: () => getAway(db, route),
    set(w) {
      const row = { route, startsOn: w.startsOn, endsOn: w.endsOn, setBy: user, setAt: now }
      db.insert(supportAway)
        .values(row)
        .onConflictDoUpdate({ target: supportAway.route, set: row })
        .run()
    },
    clear: () =>
      db
        .delete(supportAway)
        .where(eq(supportAway.route, route))
        .returning({ route: supportAway.route })
        .all().length > 0,
  }
}
