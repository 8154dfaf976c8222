// Wake-ups between instances on PostgreSQL: NOTIFY on one channel per schema (so two bots, or two
// test runs, in separate schemas of one database never wake each other), LISTEN on a connection of
// its own. A process ignores its own notifications: it has woken its own workers already.
import type { Sql } from 'postgres'
import type { WakeTopic, Wakeups } from '../queue.ts'

const TOPICS: readonly WakeTopic[] = ['dispatch', 'outbox']

export function pgWakeups(client: Sql): Wakeups {
  const me = crypto.randomUUID()
  let channel: Promise<string> | undefined
  // PostgreSQL channel names are identifiers: at most 63 bytes.
  const channelName = () =>
    (channel ??= client<{ s: string }[]>`select current_schema() as s`.then(([r]) =>
      `ebmbot_wake_${r?.s ?? 'public'}`.slice(0, 63),
    ))
  // A burst of notifies (a hundred requests stored at once) becomes one in flight and one after.
  const sending = new Map<WakeTopic, 'one' | 'again'>()
  const send = (topic: WakeTopic): void => {
    if (sending.get(topic)) return void sending.set(topic, 'again')
    sending.set(topic, 'one')
    void channelName()
      .then((c) => client`select pg_notify(${c}, ${`${topic} ${me}`})`)
      .catch(() => {}) // the peers' fallback poll finds the work
      .finally(() => {
        const again = sending.get(topic) === 'again'
        sending.delete(topic)
        if (again) send(topic)
      })
  }
  return {
    send,
    async listen(fn) {
      let first = true
      await client.listen(
        await channelName(),
        (payload) => {
          const [topic, from] = payload.split(' ')
          if (from !== me && TOPICS.includes(topic as WakeTopic)) fn(topic as WakeTopic)
        },
        () => {
          // Listening again after a lost connection: what was sent meanwhile is unknown.
          if (!first) for (const t of TOPICS) fn(t)
          first = false
        },
      )
    },
  }
}
