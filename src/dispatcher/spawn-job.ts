// Starting a run's process: its folders (outside the state folder) and private log files first,
// then bash in its box (the run's cgroup when there is one, its marker in the environment), as
// settings.run_as when set, with the job's minimal environment.
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import type { AppContext } from '../app/context.ts'
import type { Job, Namespace } from '../config/types.ts'
import type { Run } from '../queue/schema.ts'
import { callbackEnv } from './callback-url.ts'
import { jobArgv } from './job-argv.ts'
import { prepareJobDir } from './job-dirs.ts'
import { jobEnvironment } from './job-env.ts'
import { createPrivate, makeLogDir, runLogDir } from './log-paths.ts'
import type { JobUser } from './run-as.ts'
import type { RunBox } from './run-box.ts'
import type { SpareLogDirs } from './spare-log-dirs.ts'

export interface RunFiles {
  stdoutPath: string
  stderrPath: string
}

/** The run's folders and its empty log files: a spare renamed into place, or made now. */
export function prepareRun(
  ctx: AppContext,
  run: Run,
  ns: Namespace,
  user: JobUser | undefined,
  spares?: SpareLogDirs,
): RunFiles {
  prepareJobDir(ctx.config.jobsDir, user)
  prepareJobDir(ns.workdir, user)
  const dir = runLogDir(ctx.logsDir, run.jobType, run.id, run.startedAt ?? ctx.now())
  const files = { stdoutPath: join(dir, 'stdout'), stderrPath: join(dir, 'stderr') }
  if (!spares?.take(dir)) {
    makeLogDir(ctx.logsDir, dir)
    createPrivate(files.stdoutPath)
    createPrivate(files.stderrPath)
  }
  return files
}

export function spawnJob(
  ctx: AppContext,
  run: Run,
  job: Job,
  ns: Namespace,
  box: RunBox,
  files: RunFiles,
  user: JobUser | undefined,
): Subprocess {
  return Bun.spawn(jobArgv(run.command, box.procsFile, user), {
    cwd: ns.workdir,
    env: {
      ...jobEnvironment(job, ctx.env.vars, callbackEnv(ctx, run, job), ctx.config.jobsDir),
      ...box.env,
    },
    stdin: 'ignore',
    stdout: Bun.file(files.stdoutPath),
    stderr: Bun.file(files.stderrPath),
    detached: true, // its own process group and session
  })
}
