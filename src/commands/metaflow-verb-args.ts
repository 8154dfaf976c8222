// The arguments of the Metaflow thread verbs `data` and `logs`: which step, task, artifact and
// stream, checked word by word so a bad one gets the usage line instead of a guess.
import type { MetaflowDecision } from './metaflow-verbs.ts'

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/
const TASK = /^[A-Za-z0-9_-]+$/
const verb = (v: MetaflowDecision['verb']): MetaflowDecision => ({ kind: 'metaflow', verb: v })
const reply = (text: string) => verb({ kind: 'reply', text })

export function parseData(args: string[]): MetaflowDecision {
  const usage = reply(
    "Usage: `data` (the run's artifacts), `data <name>` (one value), `data <step>` (a step's artifacts) or `data <step> <name>`.",
  )
  if (args.length === 0) return verb({ kind: 'data' })
  if (args.length > 2) return usage
  const [where, name] = args as [string, string | undefined]
  const [step, task, extra] = where.split('/')
  if (
    extra !== undefined ||
    !IDENT.test(step!) ||
    (task !== undefined && !TASK.test(task)) ||
    (name !== undefined && !IDENT.test(name))
  )
    return usage
  if (task === undefined && name === undefined) return verb({ kind: 'data', name: step! })
  return verb({
    kind: 'data',
    step: step!,
    ...(task !== undefined ? { task } : {}),
    ...(name !== undefined ? { name } : {}),
  })
}

export function parseLogs(args: string[]): MetaflowDecision {
  const stream = args.slice(1).map((w) => w.toLowerCase())
  const usage = reply(
    'Usage: `logs <step>` (its stdout), `logs <step> stderr`, or `logs <step>/<task>` for one task of a foreach.',
  )
  if (
    stream.length > 1 ||
    (stream[0] !== undefined && stream[0] !== 'stdout' && stream[0] !== 'stderr')
  )
    return usage
  const [step, task, extra] = args[0]!.split('/')
  if (extra !== undefined || !IDENT.test(step!) || (task !== undefined && !TASK.test(task)))
    return usage
  return verb({
    kind: 'logs',
    step: step!,
    ...(task !== undefined ? { task } : {}),
    stream: stream[0] === 'stderr' ? 'stderr' : 'stdout',
  })
}
