// The web front door's public face: the server worker, the app (for tests), the callback env.
export { createWebhookApp } from './app.ts'

export { startWebhooks } from './start-webhooks.ts'
