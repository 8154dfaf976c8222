// `bun run bench [queue] [e2e] [slack] [webhooks] [binary] [postgres] [instances] [--quick]`: runs the named benchmarks (all by default) and
// prints Markdown tables with the machine they ran on, ready for docs/performance.md.
import { binaryBench } from './binary.ts'
import { e2eBench } from './e2e.ts'
import { machineLine, QUICK } from './lib/stats.ts'
import { instancesBench } from './instances.ts'
import { postgresClientsBench } from './postgres-clients.ts'
import { queueBench } from './queue.ts'
import { slackBench } from './slack.ts'
import { webhooksBench } from './webhooks.ts'
import { webBench } from './web.ts'

const ALL = {
  queue: queueBench,
  e2e: e2eBench,
  slack: slackBench,
  webhooks: webhooksBench,
  binary: binaryBench,
  postgres: postgresClientsBench,
  web: webBench,
  instances: instancesBench,
} as const
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const unknown = asked.filter((a) => !(a in ALL))
if (unknown.length) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(ALL).join(', ')}`,
  )
  process.exit(2)
}
console.log(
  `# ebmbot benchmarks${QUICK ? ' (--quick: small sizes, for development only)' : ''}\n\nMachine: ${machineLine()}`,
)
for (const name of asked.length ? asked : Object.keys(ALL)) await ALL[name as keyof typeof ALL]()
