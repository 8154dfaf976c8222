// What a failed Web API call means for the outbox: wait and retry (rate limits, Slack or network
// trouble) or give up (the request itself is wrong: bad token, unknown channel, refused content).
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api'
import { DeliveryError } from '../notify/deliver.ts'
import { errorText } from '../util/log.ts'

/** Slack error codes that describe Slack's state, not the request: the same call may succeed later. */
const TRANSIENT_CODES = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
])

/** The Slack error code of a rejected call (`invalid_blocks`, `channel_not_found`…), if it has one. */
export function slackErrorCode(e: unknown): string | undefined {
  return e instanceof WebAPIPlatformError ? e.data.error : undefined
}

export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e
  if (e instanceof WebAPIRateLimitedError) {
    // Retry-After is in seconds; the outbox waits at least that long before this channel's next post.
    return new DeliveryError(
      `rate limited (Retry-After ${e.retryAfter} s)`,
      true,
      e.retryAfter * 1000,
    )
  }
  if (e instanceof WebAPIPlatformError)
    return new DeliveryError(e.data.error, TRANSIENT_CODES.has(e.data.error))
  if (e instanceof WebAPIHTTPError) {
    const transient = e.statusCode >= 500 || e.statusCode === 408
    return new DeliveryError(`HTTP ${e.statusCode} from Slack`, transient)
  }
  if (e instanceof WebAPIRequestError)
    return new DeliveryError(`could not reach Slack: ${errorText(e.original)}`, true)
  // Anything else (an upload URL that failed, a timeout) is most likely passing trouble.
  return new DeliveryError(errorText(e), true)
}
