// Masks secret values (the bot's tokens, a job's secret variables) in anything shown to users.

export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  // Longest first, so a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join('[redacted]')
  }
  return out
}
