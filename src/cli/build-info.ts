// The version and runtime this binary was built from, for `--version` and the metrics' build info.
import pkg from '../../package.json' with { type: 'json' }

export const VERSION: string = pkg.version

export const buildInfo = () => ({ version: VERSION, bun: Bun.version, revision: Bun.revision })
