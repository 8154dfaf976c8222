// Local chat mode: the thinnest front door. Lines from the terminal go to the same router, queue
// and dispatcher as Slack messages; replies and reports are printed as they happen. With piped
// input it reads every line, waits for the jobs those lines started (and any earlier job its
// dispatcher picked up meanwhile) to finish and report, and ends.
import { clearLine, createInterface, cursorTo } from 'node:readline'
import type { AppContext } from '../app/context.ts'
import { handleMessage } from '../app/handle-message.ts'
import { Dispatcher } from '../dispatcher/dispatcher.ts'
import { startDeliverer } from '../notify/deliver.ts'
import { isActive } from '../queue/suppress.ts'
import { redact } from '../util/redact.ts'
import { plural } from '../commands/times.ts'
import { errorText } from '../util/log.ts'
import { startMetaflowWatcher } from '../app/metaflow-watcher.ts'
import { terminalTransport } from './terminal-transport.ts'
import { SCHEDULE_DOOR } from '../schedules/fire-slots.ts'
import { startScheduleTicker } from '../schedules/ticker.ts'

/** What a piped session waits for at the end: every line that starts (or lets start) a run. */
const STARTS_A_RUN = new Set(['schedule', 'metaflow', 'rerun', 'decide'])

export interface ChatOptions {
  input: NodeJS.ReadableStream
  write: (text: string) => void
  interactive: boolean
}

/** The longest timer there is (~24 days): in effect "until the job's own timeout". */
const NO_LIMIT_MS = 2 ** 31 - 1

/** States of a run that ended badly (a cancel is asked for, not a failure). */
const FAILED = new Set(['failed', 'timed_out', 'lost'])

/** How the session went: the runs it started that ended badly. */
export interface ChatOutcome {
  failed: number[]
}

export async function runChat(ctx: AppContext, opts: ChatOptions): Promise<ChatOutcome> {
  const dispatcher = new Dispatcher(ctx)
  const rl = createInterface({
    input: opts.input,
    terminal: opts.interactive,
    output: opts.interactive ? process.stdout : undefined,
  })
  // Interactive: print above the prompt line and redraw it, so replies never land mid-prompt.
  let reading = true
  const print = opts.interactive
    ? (text: string) => {
        if (!reading) return opts.write(text) // no prompt to redraw once the session is closing
        clearLine(process.stdout, 0)
        cursorTo(process.stdout, 0)
        opts.write(text)
        rl.prompt(true)
      }
    : opts.write
  const deliverer = startDeliverer({
    queue: ctx.queue,
    door: 'local',
    transport: terminalTransport(print),
    wake: ctx.wake.outbox,
    sender: ctx.workerId,
    log: ctx.log,
    pollMs: 500,
  })
  dispatcher.start()
  // Schedules fire in an interactive session (their reports print here); a piped session is a
  // script's step, and a slot that falls during it must not add a run the script did not ask for.
  ctx.doors.set(SCHEDULE_DOOR, { replyVia: 'local' })
  const ticker = opts.interactive ? startScheduleTicker(ctx) : undefined
  const metaflowWatcher = startMetaflowWatcher(ctx, { finalPass: !opts.interactive })
  const started: number[] = []
  if (opts.interactive) {
    opts.write('ebmbot local chat. Type `help` to start, `quit` to leave.')
    rl.setPrompt('> ')
    rl.prompt()
  }
  let n = 0
  for await (const line of rl) {
    const text = line.trim()
    // Piped too: a script may end its session early, and what it started still finishes.
    if (/^(quit|exit)$/i.test(text)) break
    if (text) {
      n++
      try {
        const res = await handleMessage(ctx, {
          door: 'local',
          text,
          user: 'local',
          isGuest: false,
          trusted: true, // the operator at this host's terminal: allow lists do not apply
          isDirect: true,
          channel: 'local',
          threadTs: null,
          messageTs: `local-${process.pid}-${n}`,
        })
        if (res.runId && STARTS_A_RUN.has(res.kind) && !started.includes(res.runId))
          started.push(res.runId)
      } catch (e) {
        // One failed line (e.g. the database locked past its busy timeout) must not end the
        // session: say so directly (the outbox may be what failed) and keep reading.
        ctx.log.error('chat.message_failed', { error: errorText(e) })
        print(
          redact(
            `❌ Sorry, something went wrong with \`${text.length > 200 ? `${text.slice(0, 200)}…` : text}\`: ${errorText(e)}. Try again in a moment.`,
            ctx.reports.secrets,
          ),
        )
      }
    }
    if (opts.interactive) rl.prompt()
  }
  reading = false
  rl.close()
  await ticker?.stop()
  if (opts.interactive) await leaveInteractive(ctx, dispatcher, started, opts.write)
  else {
    // Piped: every job its lines started, and any job its dispatcher took on (one queued by an
    // earlier session that fell due), is finished, never cut short. The dispatcher first looks at
    // the queue once more: a line's write may have freed a run it has not yet had a pass to claim.
    await dispatcher.settle()
    await waitForJobs(ctx, started, opts.write)
    await dispatcher.stop(NO_LIMIT_MS)
  }
  await metaflowWatcher?.stop()
  await waitForOutbox(ctx)
  await deliverer.stop()
  await dispatcher.retire()
  const ended = await Promise.all(started.map((id) => ctx.queue.getRun(id)))
  return { failed: ended.filter((r) => r && FAILED.has(r.state)).map((r) => r!.id) }
}

/**
 * `quit` (or Ctrl-C at the prompt) stops like the service does: queued jobs stay for the next
 * session, running ones get `shutdown_grace` to finish, and a Ctrl-C meanwhile stops them at once.
 */
async function leaveInteractive(
  ctx: AppContext,
  dispatcher: Dispatcher,
  started: number[],
  write: (t: string) => void,
): Promise<void> {
  const rows = await Promise.all(started.map((id) => ctx.queue.getRun(id)))
  const queued = rows.filter((r) => r?.state === 'pending')
  if (queued.length)
    write(
      `(${queued.map((r) => `run ${r!.id}`).join(', ')} ${queued.length === 1 ? 'stays' : 'stay'} queued for the next session)`,
    )
  const hurry = new AbortController()
  const onInterrupt = () => hurry.abort()
  process.on('SIGINT', onInterrupt)
  try {
    const stopping = dispatcher.stop(ctx.config.settings.shutdown_grace * 1000, hurry.signal)
    const n = dispatcher.running
    if (n)
      write(
        `(waiting up to ${ctx.config.settings.shutdown_grace}s for ${plural(n, 'running job')} to finish; Ctrl-C stops ${n === 1 ? 'it' : 'them'} now)`,
      )
    await stopping
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}

/** Until every run this session started has ended (a run held by a suppression is not waited for). */
async function waitForJobs(
  ctx: AppContext,
  ids: number[],
  write: (t: string) => void,
): Promise<void> {
  const noted = new Set<number>()
  for (;;) {
    let waiting = false
    for (const id of ids) {
      const run = await ctx.queue.getRun(id)
      if (!run || (run.state !== 'pending' && run.state !== 'running')) continue
      if (
        run.state === 'pending' &&
        (await ctx.queue.openSuppressions(ctx.now(), run.jobType)).some((s) =>
          isActive(s, ctx.now()),
        )
      ) {
        if (!noted.has(id))
          write(`(run ${id} is held by a suppression; it stays queued for the next session)`)
        noted.add(id)
        continue
      }
      waiting = true
    }
    if (!waiting) return
    await Bun.sleep(50)
  }
}

async function waitForOutbox(ctx: AppContext): Promise<void> {
  const until = Date.now() + 10_000
  while ((await ctx.queue.pendingOutgoing('local', 1)).length && Date.now() < until) {
    ctx.wake.outbox.notify()
    await Bun.sleep(20)
  }
}
