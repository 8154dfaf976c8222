// Several `ebmbot serve` processes on one PostgreSQL database (a fresh schema of its own) and one
// fake Slack: each instance has its own state folder, web port and Socket Mode connection, as
// instances on separate hosts would. Started, killed (kill -9) and restarted one by one.
import postgres from 'postgres'
import { join } from 'node:path'
import { botEnv, startBot } from './bot.ts'
import { startFakeSlack, type FakeSlack } from './fake-slack.ts'
import { freePort } from './github.ts'
import { freshSchemaUrl } from './postgres.ts'
import { APP_TOKEN, BOT_TOKEN, fakeOptions } from './slack-bot.ts'
import { tempDir, writeConfig } from './temp.ts'
import { waitUntil } from './wait.ts'

export const GITHUB_SECRET = 'gh-secret-multi'

interface Instance {
  index: number
  bot: ReturnType<typeof startBot>
  base: string
  /** its Socket Mode connection at the fake, learned when it connected */
  connectionId: number
  /** its row in the workers table */
  workerId: string
  /** every line it logged, over all its lives */
  logs: string
}

export interface Cluster {
  fake: FakeSlack
  sql: postgres.Sql
  instances: Instance[]
  /** (re)starts instance i and waits until it serves and is connected to Slack */
  start(i: number): Promise<Instance>
  kill(i: number): Promise<void>
  stop(): Promise<void>
}

export async function startCluster(opts: {
  yaml: string
  /** EBMBOT_INSTANCE_TAGS of each instance, one entry per instance */
  tags: string[]
  env?: Record<string, string>
}): Promise<Cluster> {
  const fake = await startFakeSlack(fakeOptions())
  const url = await freshSchemaUrl()
  const sql = postgres(url, { max: 2, onnotice: () => {} })
  const dir = tempDir('ebmbot-multi-')
  const config = writeConfig(dir, opts.yaml)
  const ports = await Promise.all(opts.tags.map(() => freePort()))
  const instances: Instance[] = []
  const cluster: Cluster = {
    fake,
    sql,
    instances,
    async start(i) {
      const before = new Set(fake.connectionIds)
      const base = `http://127.0.0.1:${ports[i]}`
      const env = botEnv(join(dir, `state-${i}`), {
        DATABASE_URL: url,
        SLACK_API_URL: fake.apiUrl,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_LOGS_CHANNEL: 'logs',
        SLACK_TECH_SUPPORT_CHANNEL: '#tech-support',
        WEBHOOK_PORT: String(ports[i]),
        WEBHOOK_ORIGIN: base,
        GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        EBMBOT_INSTANCE_TAGS: opts.tags[i]!,
        ...opts.env,
      })
      const bot = startBot(['serve', '--config', config], { env })
      const earlier = instances[i]?.logs ?? ''
      await waitUntil(
        `instance ${i} to serve and connect`,
        () => {
          if (bot.proc.exitCode !== null)
            throw new Error(`instance ${i} exited with ${bot.proc.exitCode}:\n${bot.out.stderr}`)
          return bot.out.stderr.includes('event=slack.ready')
        },
        60_000,
      ).catch((e) => {
        bot.proc.kill('SIGKILL')
        const tail = bot.out.stderr
          .split('\n')
          .filter((l) => !l.includes('level=debug'))
          .slice(-15)
        throw new Error(`${e instanceof Error ? e.message : e}\n${tail.join('\n')}`)
      })
      const connectionId = await waitUntil(`instance ${i}'s connection`, () =>
        fake.connectionIds.find((id) => !before.has(id)),
      )
      const [w] = await sql<{ id: string }[]>`
        select id from workers where pid = ${bot.proc.pid} and stopped_at is null`
      const inst: Instance = {
        index: i,
        bot,
        base,
        connectionId,
        workerId: w!.id,
        get logs() {
          return earlier + bot.out.stderr
        },
      }
      instances[i] = inst
      return inst
    },
    async kill(i) {
      const inst = instances[i]!
      inst.bot.proc.kill('SIGKILL')
      await inst.bot.proc.exited
      await waitUntil(
        `instance ${i}'s connection to close`,
        () => !fake.connectionIds.includes(inst.connectionId),
      )
    },
    async stop() {
      await Promise.all(
        instances.map(async (inst) => {
          if (inst.bot.proc.exitCode !== null) return
          inst.bot.proc.kill('SIGTERM')
          const timer = setTimeout(() => inst.bot.proc.kill('SIGKILL'), 10_000)
          await inst.bot.proc.exited
          clearTimeout(timer)
        }),
      )
      await fake.stop()
      await sql.end({ timeout: 1 })
    },
  }
  try {
    for (let i = 0; i < opts.tags.length; i++) await cluster.start(i)
  } catch (e) {
    for (const inst of instances) inst.bot.proc.kill('SIGKILL')
    await fake.stop()
    await sql.end({ timeout: 1 })
    throw e
  }
  return cluster
}

/** The outbox id each message the bot posted carries in its metadata (undefined for none). */
export const outboxIdOf = (m: { args: Record<string, unknown> }) =>
  (m.args.metadata as { event_payload?: { outbox_id?: number } } | undefined)?.event_payload
    ?.outbox_id
