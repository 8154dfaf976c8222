// Where the config comes from: --config, else EBMBOT_CONFIG, else the bundled example (embedded
// in the binary), so a newcomer can start the bot with no file at all.
import exampleYaml from '../../examples/ebmbot.yaml' with { type: 'text' }
import type { Environment } from './env.ts'
import { loadConfigFile, loadConfigText } from './load.ts'
import type { Config } from './types.ts'

const EXAMPLE_SOURCE = '<built-in example: examples/ebmbot.yaml>'

export function resolveConfig(
  flag: string | undefined,
  env: Environment,
): { config: Config; builtIn: boolean } {
  const path = flag ?? env.configPath
  if (path) return { config: loadConfigFile(path, { stateDir: env.stateDir }), builtIn: false }
  return {
    config: loadConfigText(exampleYaml, EXAMPLE_SOURCE, {
      stateDir: env.stateDir,
      baseDir: env.stateDir,
    }),
    builtIn: true,
  }
}
