// Where this bot's Metaflow is: the config's `metaflow` section first, Metaflow's own variables
// (METAFLOW_SERVICE_URL, METAFLOW_SERVICE_AUTH_KEY, METAFLOW_DATASTORE_SYSROOT_LOCAL) as the fallback.
import type { MetaflowConfig } from '../config/metaflow-config.ts'
import type { Environment } from '../config/env.ts'
import type { LaunchSettings } from './launch.ts'
import { metaflowSourceFromEnv, type MetaflowSource, type SourceFromEnvOptions } from './source.ts'

interface Resolved {
  serviceUrl?: string
  sysroot?: string
  defaultMetadata?: string
}

function resolve(config: MetaflowConfig, env: Environment): Resolved {
  return {
    serviceUrl: config.serviceUrl ?? env.metaflow.serviceUrl,
    sysroot: config.datastoreSysroot ?? env.metaflow.datastoreSysrootLocal,
    // A URL in the config means "read the service", whatever the host's default says.
    defaultMetadata: config.serviceUrl ? 'service' : env.metaflow.defaultMetadata,
  }
}

/** The source the chat verbs read; throws, naming the settings, when nothing usable is configured. */
export function metaflowSourceFor(
  config: MetaflowConfig,
  env: Environment,
  options: SourceFromEnvOptions = {},
): MetaflowSource {
  const r = resolve(config, env)
  const source = metaflowSourceFromEnv(
    {
      METAFLOW_SERVICE_URL: r.serviceUrl,
      METAFLOW_DEFAULT_METADATA: r.defaultMetadata,
      METAFLOW_SERVICE_AUTH_KEY: env.vars[config.authKeyEnv],
      METAFLOW_SERVICE_HEADERS: env.metaflow.serviceHeaders,
      METAFLOW_SERVICE_RETRY_COUNT: env.metaflow.serviceRetryCount,
      METAFLOW_DATASTORE_SYSROOT_LOCAL: r.sysroot,
    },
    options,
  )
  if (!source) {
    throw new Error(
      'metaflow: say where Metaflow is: metaflow.service_url (or METAFLOW_SERVICE_URL) for a metadata service, ' +
        'and/or metaflow.datastore_sysroot (or METAFLOW_DATASTORE_SYSROOT_LOCAL) for a local datastore',
    )
  }
  return source
}

/** What a flow started from chat needs so that its run lands where the bot reads. */
export function launchSettings(
  config: MetaflowConfig,
  env: Environment,
  source: MetaflowSource,
): LaunchSettings {
  const r = resolve(config, env)
  const settings: LaunchSettings = {
    user: config.user,
    authKeyEnv: config.authKeyEnv,
    metadata: source.kind,
  }
  if (r.sysroot) settings.datastoreSysroot = r.sysroot
  // A URL with credentials in it (possible only from the environment) stays out of the command
  // text, which `status` shows; the flow then reads it from its allowlisted environment.
  if (source.kind === 'service' && r.serviceUrl && !hasCredentials(r.serviceUrl))
    settings.serviceUrl = r.serviceUrl
  return settings
}

function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url)
    return !!(u.username || u.password)
  } catch {
    return false
  }
}
