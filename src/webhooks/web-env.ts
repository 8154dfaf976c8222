// What the web app's handlers share through Hono's context: the raw body read by the size guard,
// and what the access log and metrics report about the request.
import type { GitHubProject } from '../config/types.ts'
import type { BodyLease } from './body-budget.ts'

export type WebEnv = {
  Variables: {
    /** the request's share of the bytes all bodies in flight may hold */
    bodyLease: BodyLease
    /** the body exactly as received (signatures are over these bytes) */
    rawBody: Uint8Array
    /** the GitHub project the URL named, once known */
    project: GitHubProject
    /** a short word for logs and metrics: queued, ignored, duplicate, unauthorized, ... */
    outcome: string
    /** extra fields for the access log line (never secrets) */
    logFields: Record<string, string | number>
  }
}
