// Small configs for tests, loaded through the real loader.
import { ConfigError } from '../../src/config/errors.ts'
import { loadConfigText } from '../../src/config/load.ts'
import type { Config } from '../../src/config/types.ts'

export const OPS_YAML = `
settings:
  max_parallel: 2
  kill_grace: 1s
  poll_interval: 1s
namespaces:
  op:
    description: Operations
    restricted: true
    jobs:
      deploy:
        run: echo deploying [env] [branch]
        report_stdout: true
      restart:
        run: echo restarting
    commands:
      - pattern: deploy [env] [branch]
        help: deploy a branch
        job: deploy
      - pattern: restart
        help: restart the service
        job: restart
      - pattern: cancel deploy
        help: drop the pending deploy
        action: cancel_job
        job: deploy
  demo:
    description: Demo jobs
    jobs:
      hello:
        run: echo Hello, [name]!
        report_stdout: true
    commands:
      - pattern: hello [name]
        help: say hello
        job: hello
      - pattern: suppress hello from [start] to [end]
        help: hold hellos
        action: schedule_suppression
        job: hello
`

export function configFrom(yaml: string, stateDir = '/tmp/ebmbot-unused'): Config {
  return loadConfigText(yaml, 'test.yaml', { stateDir, baseDir: stateDir })
}

/** The ConfigError a config text is refused with (fails the test if it loads). */
export function configErrorOf(yaml: string, source = 'conf.yaml'): ConfigError {
  try {
    loadConfigText(yaml, source, { stateDir: '/tmp/s' })
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error('expected the config to be refused')
}
