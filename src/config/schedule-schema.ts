// The `schedule:` of a command: a cron expression in a time zone that runs the command by
// itself, where it reports, and what happens to a slot the bot was not running for. The cron
// and the zone are checked here, so `config check` points at their line.
import { z } from 'zod'
import { cronProblem, timeZoneProblem } from '../syntax/cron.ts'
import { duration, NAME } from './schema-parts.ts'

const MISSED_POLICIES = ['latest', 'skip'] as const
export type MissedPolicy = (typeof MISSED_POLICIES)[number]

export const scheduleSchema = z
  .strictObject({
    cron: z
      .string()
      .min(1)
      .superRefine((v, ctx) => {
        const why = cronProblem(v)
        if (why) ctx.addIssue({ code: 'custom', message: why })
      })
      .describe(
        'when it runs: five cron fields (minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"), or six with seconds first',
      ),
    tz: z
      .string()
      .min(1)
      .superRefine((v, ctx) => {
        const why = timeZoneProblem(v)
        if (why) ctx.addIssue({ code: 'custom', message: why })
      })
      .default('UTC')
      .describe(
        'the IANA time zone the cron fields are read in (Europe/London); daylight-saving changes follow it',
      ),
    name: z
      .string()
      .regex(NAME, 'a schedule name is one word of letters, digits and hyphens')
      .max(40)
      .optional()
      .describe(
        'what chat calls it (`pause <namespace> <name>`); default the job name; unique in the namespace',
      ),
    channel: z
      .string()
      .min(1)
      .optional()
      .describe("where its runs report; default the namespace's default_channel"),
    params: z
      .record(z.string(), z.string())
      .default({})
      .describe("values for the command's [param] captures, checked as typed ones are"),
    missed: z
      .enum(MISSED_POLICIES)
      .default('latest')
      .describe(
        'a slot that passed while no bot was running: latest runs the latest such slot once if it is within grace, skip runs none',
      ),
    grace: duration()
      .optional()
      .describe(
        'with missed: latest, how late a missed slot may still run; default settings.schedule_grace',
      ),
  })
  .describe(
    'run this command by itself on a cron schedule, as the "schedule" identity: once per slot, however many bots share the queue',
  )

/** How late a slot may still run, when a schedule names none. */
export const scheduleGraceSetting = {
  schedule_grace: duration()
    .default(3600)
    .describe(
      'how late a slot missed while no bot ran (missed: latest) may still run; later ones are skipped',
    ),
}
