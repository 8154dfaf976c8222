// Who is looking at the pages, as the access rules see them: the signed-in Slack user with the
// guest flag and user groups Slack gives (looked up the way the Slack door does), in the channel
// of the run in question. A button on a run's page is the button under that run's message in
// Slack: the same verb, the same person, the same channel.
import { askerOf, mayRead, mayRun, type Asker } from '../commands/access.ts'
import type { Config, Job, Namespace } from '../config/types.ts'
import { findJob } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { ownValue } from '../util/own.ts'
import type { Session } from './session.ts'

/** What Slack says of a person, for the rules (see the Slack door's access facts). */
export type PersonFacts = Pick<Asker, 'isGuest' | 'guestUnknown' | 'groups' | 'groupsUnknown'>

export type People = (user: string) => Promise<PersonFacts>

export interface Viewer {
  session: Session
  facts: PersonFacts
  /** the rules' asker in a channel (a run's), `channelName` when known */
  asker(channel: string, channelName?: string): Asker
}

export async function viewerOf(session: Session, people: People): Promise<Viewer> {
  // The host operator (a token without token_user) is not a Slack user: nothing to look up.
  const facts = session.trusted ? { isGuest: false } : await people(session.user)
  return {
    session,
    facts,
    asker: (channel, channelName) =>
      askerOf({ user: session.user, ...facts, channel, channelName, trusted: session.trusted }),
  }
}

/** A rule without its channel list: lists on the web are read outside any channel. */
const anywhere = <T extends { allow?: Job['allow'] }>(x: T): T =>
  x.allow ? { ...x, allow: { ...x.allow, channels: [] } } : x

/**
 * The namespaces and job types whose runs a list leaves out: those the viewer may not run in any
 * channel (their own requests still show, as in Slack).
 */
export function hiddenFor(config: Config, v: Viewer): { hidden: string[]; hiddenTypes: string[] } {
  const asker = v.asker('')
  const hidden: string[] = []
  const hiddenTypes: string[] = []
  for (const ns of Object.values(config.namespaces)) {
    if (!mayRun(anywhere(ns), undefined, asker).ok) {
      hidden.push(ns.name)
      continue
    }
    for (const job of Object.values(ns.jobs))
      if (!mayRun(anywhere(ns), anywhere(job), asker).ok) hiddenTypes.push(job.type)
  }
  return { hidden, hiddenTypes }
}

/** Whether a list may show this run (see hiddenFor). */
export function listed(config: Config, v: Viewer, run: Pick<Run, 'jobType' | 'requestedBy'>) {
  const job = findJob(config, run.jobType)
  const ns = job && ownValue(config.namespaces, job.namespace)
  if (!ns || !job) return v.session.trusted || v.session.user === run.requestedBy
  return mayRead(anywhere(ns), anywhere(job), run.requestedBy, v.asker('')).ok
}

/** The run's namespace and job, if still configured. */
export function placeOf(config: Config, run: Pick<Run, 'jobType' | 'namespace'>) {
  const ns: Namespace | undefined = ownValue(config.namespaces, run.namespace)
  const job = ns ? findJob(config, run.jobType) : undefined
  return { ns, job }
}
