// Outgoing messages hold only well-formed text: a lone surrogate (from a job's output, a payload,
// an echo of chat text) cannot be encoded for Slack's API, and a row that can never be sent would
// be retried forever.
import { mapStrings } from './map-strings.ts'

export const wellFormed = <T>(value: T): T => mapStrings(value, (s) => s.toWellFormed())
