// An in-process bot for tests: real queue file, real dispatcher and processes, outbox delivered
// to a recording transport.
import type { AppContext } from '../../src/app/context.ts'
import { createContext } from '../../src/service/create-context.ts'
import type { MessageIn } from '../../src/app/door.ts'
import { handleMessage } from '../../src/app/handle-message.ts'
import { readEnvironment } from '../../src/config/env.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { Dispatcher } from '../../src/dispatcher/dispatcher.ts'
import { startMetaflowWatcher } from '../../src/app/metaflow-watcher.ts'
import { startDeliverer } from '../../src/notify/deliver.ts'
import type { MessageOut, Outgoing } from '../../src/app/door.ts'
import type { Run } from '../../src/queue/schema.ts'
import { createLogger } from '../../src/util/log.ts'
import { tempDir } from './temp.ts'
import { waitUntil } from './wait.ts'

export interface Harness {
  ctx: AppContext
  dispatcher: Dispatcher
  sent: Outgoing[]
  logLines: string[]
  say(text: string, extra?: Partial<MessageIn>): ReturnType<typeof handleMessage>
  messages(): MessageOut[]
  waitForState(runId: number, states: string[], timeoutMs?: number): Promise<Run>
  waitForMessage(pred: (m: MessageOut) => boolean, timeoutMs?: number): Promise<MessageOut>
  stop(): Promise<void>
}

export interface HarnessOptions {
  /** reuse a state folder (database, logs): a restart of the same bot */
  stateDir?: string
  /** run the Metaflow watcher too, as serve does */
  metaflowWatcher?: boolean
}

export function startHarness(
  yaml: string,
  envVars: Record<string, string> = {},
  opts: HarnessOptions = {},
): Harness {
  const stateDir = opts.stateDir ?? tempDir()
  const env = readEnvironment(
    { PATH: process.env.PATH, HOME: process.env.HOME, EBMBOT_STATE_DIR: stateDir, ...envVars },
    stateDir,
  )
  const config = loadConfigText(yaml, 'test.yaml', { stateDir, baseDir: stateDir })
  const logLines: string[] = []
  const log = createLogger({ level: 'debug', write: (l) => logLines.push(l), secrets: [] })
  const ctx = createContext({ config, env, log })
  const sent: Outgoing[] = []
  const deliverer = startDeliverer({
    queue: ctx.queue,
    door: 'slack',
    wake: ctx.wake.outbox,
    log,
    pollMs: 200,
    transport: { deliver: async (m) => void sent.push(m) },
  })
  const dispatcher = new Dispatcher(ctx)
  dispatcher.start()
  const watcher = opts.metaflowWatcher ? startMetaflowWatcher(ctx) : null
  let n = 0
  const messages = () => sent.filter((m): m is MessageOut => m.kind === 'message')
  return {
    ctx,
    dispatcher,
    sent,
    logLines,
    messages,
    say: (text, extra = {}) => {
      n++
      return handleMessage(ctx, {
        door: 'slack',
        text,
        user: 'U1',
        isGuest: false,
        isDirect: false,
        channel: 'C1',
        threadTs: `100.${n}`,
        messageTs: `100.${n}`,
        ...extra,
      })
    },
    waitForState: (id, states, timeoutMs = 10_000) =>
      waitUntil(
        `run ${id} in ${states.join('/')}`,
        async () => {
          const r = await ctx.queue.getRun(id)
          return r && states.includes(r.state) ? r : undefined
        },
        timeoutMs,
      ),
    waitForMessage: (pred, timeoutMs = 10_000) =>
      waitUntil('a matching message', () => messages().find(pred), timeoutMs),
    async stop() {
      await watcher?.stop()
      await dispatcher.stop(0)
      await deliverer.stop()
      ctx.queue.close()
    },
  }
}
