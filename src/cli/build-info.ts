// The version and runtime this binary was built from, for the metrics' build info.
import { BOT_VERSION } from '../util/version.ts'

export const buildInfo = () => ({ version: BOT_VERSION, bun: Bun.version, revision: Bun.revision })
