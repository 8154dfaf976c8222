// SIGHUP: the config is read and validated again; only a config that loads replaces the running
// one, so a typo keeps the bot on its old config and the log says why. What the workers read per
// message or per run (namespaces, jobs, commands, GitHub projects, timeouts) applies at once;
// what was wired up at start (Slack channels and support routes, user groups, Metaflow, whether
// the web server runs, the jobs' user and containment, the web body budget) takes a restart,
// and the log names it.
import { ConfigError } from '../config/errors.ts'
import type { Config } from '../config/types.ts'
import { configuredGroups } from '../config/user-groups.ts'
import { errorText } from '../util/log.ts'
import type { AppContext } from '../app/context.ts'

/** The parts of a config fixed at start, by name, in a form that compares with `===`. */
function fixedAtStart(c: Config): Record<string, string> {
  const s = c.settings
  return {
    'settings.logs_channel': String(s.logs_channel),
    'settings.tech_support_channel': String(s.tech_support_channel),
    'settings.support_routes': JSON.stringify(s.support_routes),
    'settings.sweep_interval': String(s.sweep_interval),
    'user groups in allow and approvers': JSON.stringify(configuredGroups(c).sort()),
    metaflow: JSON.stringify(c.metaflow ?? null),
    'github (whether the web server runs)': String(!!c.github),
    'settings.run_as': JSON.stringify(s.run_as ?? null),
    'settings.containment': s.containment,
    'settings.webhook_bytes_in_flight': String(s.webhook_bytes_in_flight),
  }
}

export type ReloadOutcome = { ok: true; needsRestart: string[] } | { ok: false; error: string }

export function reloadConfig(ctx: AppContext, load: () => Config): ReloadOutcome {
  let next: Config
  try {
    next = load()
  } catch (e) {
    // Every issue on one line: a log line is one event.
    return {
      ok: false,
      error: e instanceof ConfigError ? e.message.replaceAll('\n', '; ') : errorText(e),
    }
  }
  const before = fixedAtStart(ctx.config)
  const after = fixedAtStart(next)
  ctx.config = next
  return { ok: true, needsRestart: Object.keys(before).filter((k) => before[k] !== after[k]) }
}
