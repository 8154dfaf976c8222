// Typed errors of the Metaflow data layer, so the chat layer can tell "not there" from "cannot reach it".

/** Something the user named does not exist (404 from the service, a missing directory locally). */
export class MetaflowNotFoundError extends Error {
  override readonly name = 'MetaflowNotFoundError'
  /** what was looked up, e.g. `run HelloFlow/12` */
  readonly what: string
  constructor(what: string, message?: string) {
    super(message ?? `${what} not found`)
    this.what = what
  }
}

export type ServiceErrorKind = 'unreachable' | 'timeout' | 'unavailable' | 'http' | 'bad-response'

/** The metadata service could not answer usefully: down, too slow, 5xx, or a body that is not JSON. */
export class MetaflowServiceError extends Error {
  override readonly name = 'MetaflowServiceError'
  readonly kind: ServiceErrorKind
  readonly status: number | null
  constructor(kind: ServiceErrorKind, message: string, status: number | null = null) {
    super(message)
    this.kind = kind
    this.status = status
  }
}

/** Data exists but this bot cannot read it (S3 datastore, no datastore root configured, unsafe name). */
export class MetaflowUnavailableError extends Error {
  override readonly name = 'MetaflowUnavailableError'
}

/**
 * Path segments come from chat text; refuse anything that could climb out of a directory or
 * change a URL's meaning. Flow, step and artifact names are Python identifiers; run and task ids
 * are digits or scheduler names such as `argo-helloflow-x7k2p`.
 */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/

export function checkSegment(kind: string, value: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes('..') || value.length > 300) {
    throw new MetaflowUnavailableError(
      `${kind} ${JSON.stringify(value)} is not a valid Metaflow name`,
    )
  }
  return value
}
