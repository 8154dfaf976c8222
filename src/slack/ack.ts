// One acknowledgement per Socket Mode envelope: it works once, and says so in the logs when the
// work behind it came close to Slack's 3-second limit (past it, Slack redelivers the event; the
// seen table then makes the redelivery a no-op, but a slow handler is worth knowing about).

export interface EnvelopeAck {
  /** Sends the ack (with a response payload, for a slash command) the first time; later calls do nothing and return false. */
  ack(payload?: Record<string, unknown>): Promise<boolean>
  /** Leaves the envelope unacknowledged on purpose (Slack will deliver it again); no late warning. */
  cancel(): void
  readonly sent: boolean
}

export interface AckOptions {
  /** sends `{envelope_id}` (and the payload, if any) back over the socket */
  send: (payload?: Record<string, unknown>) => Promise<void>
  /** called once if the ack has not been sent by then */
  onLate?: (elapsedMs: number) => void
  /** a failed send (the socket dropped): Slack redelivers on the next connection */
  onSendError?: (e: unknown) => void
  warnAfterMs?: number
  now?: () => number
}

export function envelopeAck(opts: AckOptions): EnvelopeAck {
  const now = opts.now ?? Date.now
  const started = now()
  let sent = false
  const timer = setTimeout(() => opts.onLate?.(now() - started), opts.warnAfterMs ?? 2500)
  return {
    get sent() {
      return sent
    },
    async ack(payload) {
      if (sent) return false
      sent = true
      clearTimeout(timer)
      try {
        await opts.send(payload)
      } catch (e) {
        opts.onSendError?.(e)
      }
      return true
    },
    cancel() {
      clearTimeout(timer)
    },
  }
}
