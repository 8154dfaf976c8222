// The web front door's public face: the server worker, the app (for tests), the callback env.
export { createWebhookApp, type WebAppOptions } from './app.ts'
export { callbackEnv } from '../dispatcher/callback-url.ts'
export { startWebhooks, webhooksWanted } from './start-webhooks.ts'
