// The values of a job's variables marked secret: masked wherever its output or logs are shown.
import type { Job } from './types.ts'

/** Values of the job's variables marked secret, masked in its reports and logs. */
export const jobSecrets = (job: Job, host: Readonly<Record<string, string | undefined>>) =>
  job.env
    .filter((v) => v.secret)
    .map((v) => v.value ?? host[v.name])
    .filter((v): v is string => !!v)
