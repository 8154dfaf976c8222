// Access rules: who may run a namespace's or job's commands, and where; who may approve.
// Pure: the front door supplies the user's groups and the channel.
import type { Allow, Job, Namespace } from '../config/types.ts'

export interface Asker {
  user: string
  /** Slack user group ids the user belongs to (resolved by the front door) */
  groups?: readonly string[]
  channel: string
  /** `#name` of the channel when known, so rules may name channels */
  channelName?: string
  isGuest: boolean
  /**
   * Lookups Slack did not answer (the guest flags; user groups): the rules fail closed, and a
   * refusal on that ground says so instead of blaming the user.
   */
  guestUnknown?: boolean
  groupsUnknown?: readonly string[]
  /** the local terminal: the operator at the host, not bound by allow lists */
  trusted?: boolean
}

/** The asker's facts from a front door's message (the same field names). */
export const askerOf = (msg: Omit<Asker, 'channel'> & { channel?: string | null }): Asker => ({
  user: msg.user,
  groups: msg.groups,
  channel: msg.channel ?? '',
  channelName: msg.channelName,
  isGuest: msg.isGuest,
  guestUnknown: msg.guestUnknown,
  groupsUnknown: msg.groupsUnknown,
  trusted: msg.trusted,
})

const UNVERIFIED = 'I could not look you up in Slack just now, so'

export type Verdict = { ok: true } | { ok: false; reason: string }

const inGroups = (rule: { groups: string[] }, who: Asker) =>
  rule.groups.some((g) => who.groups?.includes(g))

function check(rule: Allow | undefined, who: Asker, what: string): Verdict {
  if (!rule) return { ok: true }
  if (rule.users.length || rule.groups.length) {
    if (!rule.users.includes(who.user) && !inGroups(rule, who)) {
      if (rule.groups.some((g) => who.groupsUnknown?.includes(g)))
        return {
          ok: false,
          reason: `${UNVERIFIED} I cannot tell whether you may run ${what}; try again in a moment`,
        }
      return { ok: false, reason: `you are not on the list of people who may run ${what}` }
    }
  }
  if (rule.channels.length) {
    const here = [who.channel, who.channelName && `#${who.channelName.replace(/^#/, '')}`].filter(
      Boolean,
    )
    if (!rule.channels.some((c) => here.includes(c))) {
      return {
        ok: false,
        reason: `${what} may only be run in ${rule.channels.map((c) => (c.startsWith('#') ? c : `<#${c}>`)).join(', ')}`,
      }
    }
  }
  return { ok: true }
}

/**
 * The sender of a Slack reminder's message: Slackbot, on behalf of whoever set the reminder,
 * whom Slack does not name. Rules about people cannot be checked against it.
 */
const SLACKBOT = 'USLACKBOT'

export function mayRun(ns: Namespace, job: Job | undefined, who: Asker): Verdict {
  if (who.user === SLACKBOT && (ns.restricted || ns.allow || job?.allow))
    return {
      ok: false,
      reason: `a Slack reminder cannot run ${job ? `\`${job.type}\`` : `the \`${ns.name}\` commands`}: Slack does not say who set it, and ${ns.restricted ? 'they are for members only' : 'only some people may run them'}. Run it yourself when the reminder comes`,
    }
  if (ns.restricted && who.isGuest)
    return { ok: false, reason: guestRefusal(`the \`${ns.name}\` commands`, who) }
  if (who.trusted) return { ok: true }
  const nsVerdict = check(ns.allow, who, `the \`${ns.name}\` commands`)
  if (!nsVerdict.ok || !job) return nsVerdict
  return check(job.allow, who, `\`${job.type}\``)
}

/**
 * Reading a run (its command, params and request text; its logs) follows the rules for running
 * it, except that whoever requested it may always read it.
 */
export function mayRead(
  ns: Namespace,
  job: Job | undefined,
  requester: string,
  who: Asker,
): Verdict {
  if (who.user === requester) return { ok: true }
  return mayRun(ns, job, who)
}

/** Why a guest (or someone Slack did not vouch for in time) may not use `what`. */
export function guestRefusal(what: string, who: Pick<Asker, 'guestUnknown'>): string {
  return who.guestUnknown
    ? `${UNVERIFIED} I cannot tell whether you are a member of this workspace, and ${what} are for members only; try again in a moment`
    : `only internal members of this workspace may use ${what}`
}

/**
 * Whoever decides a confirm job must be allowed to run it (the guest rule and the allow lists),
 * and be the requester or a configured approver (by user id or group). Under the two-person rule
 * (`confirm: approvers`) the requester may not approve their own request (withdrawing it, `no`,
 * stays allowed): only another approver can.
 */
export function mayApprove(
  ns: Namespace,
  job: Job,
  requester: string,
  who: Asker,
  approve: boolean,
): ApproveVerdict {
  const run = mayRun(ns, job, who)
  if (!run.ok) return run
  const { approvers } = job
  const approver = !!approvers && (approvers.users.includes(who.user) || inGroups(approvers, who))
  // Withdrawing one's own request is always allowed; approving it is not, under the rule.
  if (who.user === requester && job.twoPerson && approve)
    return {
      ok: false,
      reason: `\`${job.type}\` needs a second person: an approver other than the requester must approve it`,
    }
  if (who.user === requester || approver) return { ok: true }
  return { ok: false }
}

/** A refusal without a reason: not the requester, nor an approver. */
export type ApproveVerdict = { ok: true } | { ok: false; reason?: string }
