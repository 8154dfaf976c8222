// What the run pages' handlers share through Hono's context.
import type { Session } from './session.ts'
import type { Viewer } from './viewer.ts'

export type PagesEnv = {
  Variables: {
    session: Session
    viewer: Viewer
    /** the signed-in view's shell fields: user label, CSRF token, flash messages */
    shell: { user: string; csrf: string; flash: string[] }
  }
}
