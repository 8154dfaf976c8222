// One bot instance's claim loop for the instances bench, as a process of its own with its own
// queue connection: says "ready", waits for "go" on stdin, then claims and finishes until
// nothing is left to claim, and says "done <claimed>". Arguments: sqlite FILE | postgres URL, owner.
import { openQueue } from '../../src/queue/db.ts'
import { openPgQueue } from '../../src/queue/pg/open.ts'
import type { Queue } from '../../src/queue/queue.ts'

const [backend, location, owner] = process.argv.slice(2) as [string, string, string]
const q: Queue =
  backend === 'postgres'
    ? await openPgQueue(location, { migrate: false, max: 1 })
    : openQueue(location, { migrate: false })
console.log('ready')
for await (const line of console) if (line.trim() === 'go') break
let claimed = 0
for (;;) {
  const now = Date.now()
  const run = await q.claimNext(now, owner, 1_000_000)
  if (!run) break
  await q.finishRun(now, run.id, owner, { state: 'succeeded', exitCode: 0 })
  claimed++
}
console.log(`done ${claimed}`)
q.close()
process.exit(0)
