// Cross-field rules the schema cannot express, checked at load so that no user is ever
// acknowledged for a command that could not run.
import { paramNames, parsePattern, patternsAmbiguous, patternText } from '../syntax/pattern.ts'
import { hasKeyword } from '../syntax/keyword.ts'
import { placeholders, quotedPlaceholders } from '../syntax/template.ts'
import { unsafePlaceholders } from '../syntax/template-contexts.ts'
import { checkGithubRules } from './github-rules.ts'
import { checkMetaflowRules } from './metaflow-rules.ts'
import { checkScheduleRules } from './schedule-rules.ts'
import { AWAY_WORD, RESERVED_WORDS, type ParsedConfig } from './schema.ts'

export interface RuleIssue {
  path: PropertyKey[]
  message: string
}

/** Every shape of the out-of-office command, as people type it. */
const AWAY_FORMS = [
  `${AWAY_WORD} from 2026-01-01 to 2026-01-02`,
  `${AWAY_WORD} until 2026-01-02`,
  `${AWAY_WORD} off`,
]

export function checkRules(config: ParsedConfig): RuleIssue[] {
  const issues: RuleIssue[] = []
  // A Slack message carrying a support keyword is reposted, never run: a command
  // whose own words hold a keyword could never be run from Slack.
  const keywords = config.settings.support_routes.flatMap((r) => r.keywords)
  const keywordIn = (text: string) => keywords.find((k) => hasKeyword(text, k))
  config.settings.support_routes.forEach((r, i) =>
    r.keywords.forEach((k, j) => {
      const builtIn =
        RESERVED_WORDS.find((w) => w === k.toLowerCase()) ??
        (AWAY_FORMS.some((form) => hasKeyword(form, k)) ? AWAY_WORD : undefined)
      if (builtIn) {
        issues.push({
          path: ['settings', 'support_routes', i, 'keywords', j],
          message: `"${k}" would turn the built-in \`${builtIn}\` command into a support call; choose another keyword`,
        })
      }
    }),
  )
  for (const [nsName, ns] of Object.entries(config.namespaces)) {
    const at = (...p: PropertyKey[]) => ['namespaces', nsName, ...p]
    if (RESERVED_WORDS.includes(nsName.toLowerCase())) {
      issues.push({
        path: at(),
        message: `"${nsName}" is a built-in command word; choose another namespace name`,
      })
    }
    const nsKeyword = keywordIn(nsName)
    if (nsKeyword)
      issues.push({
        path: at(),
        message: `"${nsName}" is the support keyword "${nsKeyword}": in Slack its commands would be reposted to the team, never run`,
      })
    for (const [jobName, job] of Object.entries(ns.jobs)) {
      const approvers = job.approvers ?? ns.approvers
      if (job.confirm === 'approvers' && !approvers?.users.length && !approvers?.groups.length)
        issues.push({
          path: at('jobs', jobName, 'confirm'),
          message:
            'confirm: approvers needs someone other than the requester to approve: list approvers (users or groups) on the job or its namespace',
        })
      for (const p of quotedPlaceholders(job.run)) {
        issues.push({
          path: at('jobs', jobName, 'run'),
          message: `placeholder [${p}] is inside quotes; write it bare, ebmbot quotes every value for you`,
        })
      }
      for (const u of unsafePlaceholders(job.run)) {
        issues.push({
          path: at('jobs', jobName, 'run'),
          message: `placeholder [${u.name}] is in ${u.context}, where ${u.why}; instead, ${u.instead.replaceAll('{p}', u.name)}`,
        })
      }
    }
    const parsed = ns.commands.map((c) => parsePattern(c.pattern))
    ns.commands.forEach((cmd, i) => {
      const tokens = parsed[i]!
      const names = paramNames(tokens)
      for (const p of Object.keys(cmd.params))
        if (!names.includes(p))
          issues.push({
            path: at('commands', i, 'params', p),
            message: `the pattern "${cmd.pattern}" captures no [${p}]${names.length ? ` (it captures ${names.map((n) => `[${n}]`).join(', ')})` : ''}`,
          })
      if (tokens.length === 0)
        issues.push({ path: at('commands', i, 'pattern'), message: 'empty pattern' })
      const words = tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : [])).join(' ')
      const kw = keywordIn(words)
      if (kw && !nsKeyword) {
        issues.push({
          path: at('commands', i, 'pattern'),
          message: `"${cmd.pattern}" holds the support keyword "${kw}": in Slack it would be reposted to the team, never run`,
        })
      }
      if (tokens[0]?.kind === 'word' && tokens[0].word === 'help') {
        issues.push({
          path: at('commands', i, 'pattern'),
          message: `"${nsName} help" is built in; a command may not start with "help"`,
        })
      }
      const dup = names.find((n, k) => names.indexOf(n) !== k)
      if (dup)
        issues.push({
          path: at('commands', i, 'pattern'),
          message: `parameter [${dup}] appears twice`,
        })
      const job = ns.jobs[cmd.job]
      if (!job) {
        const known = Object.keys(ns.jobs)
        issues.push({
          path: at('commands', i, 'job'),
          message: `no job "${cmd.job}" in namespace ${nsName}${known.length ? ` (jobs: ${known.join(', ')})` : ' (it has no jobs)'}`,
        })
      } else if (cmd.action === 'schedule_job') {
        for (const p of placeholders(job.run)) {
          if (!names.includes(p)) {
            issues.push({
              path: at('commands', i, 'pattern'),
              message: `job ${cmd.job} uses [${p}] but this command does not capture it; add [${p}] to the pattern`,
            })
          }
        }
      }
      if (cmd.action === 'schedule_suppression' && names.length !== 2) {
        issues.push({
          path: at('commands', i, 'pattern'),
          message: `a schedule_suppression command needs exactly two parameters (start and end, HH:MM); it has ${names.length}`,
        })
      }
      for (let j = 0; j < i; j++) {
        if (patternsAmbiguous(parsed[j]!, tokens)) {
          issues.push({
            path: at('commands', i, 'pattern'),
            message: `"${nsName} ${patternText(tokens)}" and "${nsName} ${patternText(parsed[j]!)}" (commands[${j}]) can match the same text and neither has a literal word where the other has a [placeholder]; make them differ by a literal word`,
          })
        }
      }
    })
  }
  issues.push(...checkGithubRules(config))
  issues.push(...checkMetaflowRules(config))
  issues.push(...checkScheduleRules(config))
  return issues
}
