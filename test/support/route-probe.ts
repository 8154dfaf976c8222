// Routes messages in a child process and prints what came back and how long each took, so a test
// can put a deadline on the router: an input that makes matching blow up then fails the test
// (the child is killed) instead of hanging the whole suite in synchronous code.
// stdin: {"yaml": "...", "texts": {"name": "text", ...}}; stdout: {"name": {ms, kind, text?, params?}}
import { route } from '../../src/commands/route.ts'
import { configFrom } from './configs.ts'

const input = JSON.parse(await new Response(Bun.stdin.stream()).text()) as {
  yaml: string
  texts: Record<string, string>
}
const config = configFrom(input.yaml)
const out: Record<string, unknown> = {}
const timed = (text: string) => {
  const t = performance.now()
  const d = route(
    { config, botUserId: 'UBOT', botName: 'ebmbot' },
    { text, user: 'U1', isGuest: false, isDirect: false },
  )
  return { d, ms: performance.now() - t }
}
for (const [name, text] of Object.entries(input.texts)) {
  const { d, ms: first } = timed(text)
  // A blow-up is slow every time; a pause of a loaded machine is not: the best of three counts.
  const ms = Math.min(first, timed(text).ms, timed(text).ms)
  out[name] = {
    ms,
    kind: d.kind,
    ...(d.kind === 'reply' ? { text: d.text } : {}),
    ...(d.kind === 'schedule' ? { params: d.params } : {}),
  }
}
process.stdout.write(JSON.stringify(out))
