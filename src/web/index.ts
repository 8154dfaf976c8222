// The web page door's public face: the pages app, what it needs at start, the door's name.
export { WEB_DOOR } from './actions.ts'
export { webPages } from './pages.tsx'
export { slackSignIn } from './slack-oidc.ts'
export type { PersonFacts } from './viewer.ts'
export { webSetup } from './web-setup.ts'
