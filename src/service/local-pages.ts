// The run pages during `ebmbot chat` (`npm run chat`), when the config enables them: served on
// WEBHOOK_HOST:WEBHOOK_PORT (127.0.0.1:9000 by default) over the chat's own database, so the
// runs started from the terminal can be watched and pressed in a browser. Answers to presses are
// printed in the terminal, like any other.
import { Hono } from 'hono'
import type { AppContext } from '../app/context.ts'
import { webDoor } from './web-door.ts'

export function startLocalPages(ctx: AppContext): { url: string; stop(): Promise<void> } | null {
  const pages = webDoor(ctx, { local: true })
  if (!pages) return null
  const app = new Hono()
  app.get('/', (c) => c.redirect('/web/'))
  app.mount('/web', pages.fetch)
  const { host, port } = ctx.env.webhook
  const server = Bun.serve({ fetch: app.fetch, hostname: host, port, development: false })
  return {
    url: new URL('/web/', ctx.config.web?.public_url ?? server.url).href,
    stop: () => server.stop(true),
  }
}
