// Pure chat texts about starting flows: a flow's parameters before it runs (`params <Flow>`),
// `how to run`, `how to set parameters`, the greeting intro and `version`.
import type { MetaflowFlowConfig, MetaflowParam } from '../config/metaflow-config.ts'
import { pyRepr } from './py-repr.ts'
import type { ArtifactContent } from './artifacts.ts'

/** `alpha` (a number; default 0.1) · `mode` (one of fast, full) */
function paramLine(p: MetaflowParam): string {
  const bits = [
    p.help || null,
    p.choices ? `one of ${p.choices.map((c) => `\`${c}\``).join(', ')}` : null,
    p.default !== undefined ? `default \`${p.default}\`` : null,
  ].filter(Boolean)
  return `\`${p.name}\`${bits.length ? ` (${bits.join('; ')})` : ''}`
}

/** `params <Flow>`: what chat may set, what each means, and what the latest run used. */
export function flowParamsText(
  flow: MetaflowFlowConfig,
  latest: { pathspec: string; params: readonly ArtifactContent[] } | null,
): string {
  const lines = [
    `\`${flow.flow}\`${flow.description ? `: ${flow.description}` : ''}.`,
    flow.params.length
      ? `Parameters chat may set (\`run ${flow.flow} name=value …\`):`
      : `Chat may set no parameters of \`${flow.flow}\`: \`run ${flow.flow}\` starts it with the flow's defaults.`,
    ...flow.params.map((p) => `• ${paramLine(p)}`),
  ]
  if (flow.params.length) lines.push('Any left out take the default written in the flow file.')
  if (latest?.params.length)
    lines.push(
      `Its latest run \`${latest.pathspec}\` used ${latest.params
        .map((p) => `${p.name}=${p.value ? pyRepr(p.value, { maxItems: 5, maxString: 60 }) : '…'}`)
        .join(', ')}.`,
    )
  return lines.join('\n')
}

export function howToRun(flows: readonly MetaflowFlowConfig[]): string {
  const example = flows[0]
  const withParam = flows.find((f) => f.params.length)
  return [
    'Say `run <Flow>` to start a flow, e.g. ' +
      (example ? `\`run ${example.flow}\`` : '`run HelloFlow`') +
      (withParam ? ` or \`run ${withParam.flow} ${withParam.params[0]!.name}=…\`` : '') +
      '. It runs as an ebmbot job: queued one at a time per flow, with `cancel` and `rerun` in its thread.',
    'I post in the thread when the Metaflow run starts (with the parameters it was given) and when it ends; `quiet` stops that, `loud` turns it back on.',
    `Flows you may start: ${flows.length ? flows.map((f) => `\`${f.flow}\``).join(', ') : 'none here'}. \`params <Flow>\` shows what each takes.`,
  ].join('\n')
}

export function howToSetParams(flows: readonly MetaflowFlowConfig[]): string {
  const f = flows.find((x) => x.params.length)
  const eg = f
    ? `\`run ${f.flow} ${f.params.map((p) => `${p.name}=${p.choices?.[0] ?? '…'}`).join(' ')}\``
    : '`run HelloFlow alpha=0.5`'
  return [
    `Give parameters as \`name=value\` after the flow, e.g. ${eg}. Quote a value with spaces: \`note="two words"\`.`,
    "Only the parameters set up for chat are accepted, and each value goes to the flow as one word (`--name value`); any you leave out take the flow's default.",
    'Say `params <Flow>` for the parameters of a flow, with their help and defaults.',
  ].join('\n')
}

export function introText(namespace: string): string {
  return [
    'Hi! I can look into Metaflow runs and start flows for you, in this thread.',
    '• `flows`, then `runs <Flow>`: what there is',
    '• `inspect <run>`, e.g. `inspect the latest run of HelloFlow`: open a run here (`how to inspect` for every way to name one)',
    '• `params <Flow>`, then `run <Flow> name=value …`: start one (`how to run`)',
    `Once a run is open: \`status\`, \`steps\`, \`data\`, \`logs <step>\`, \`export\`. \`${namespace} help\` lists everything.`,
  ].join('\n')
}

export function versionText(
  bot: string,
  where: string,
  metaflowVersions: readonly string[],
  serviceVersion: string | null = null,
): string {
  const service = serviceVersion ? ` (version ${serviceVersion})` : ''
  const seen = metaflowVersions.length
    ? `Runs there were made by Metaflow ${metaflowVersions.join(', ')}.`
    : 'No run there names its Metaflow version.'
  return `ebmbot ${bot}, reading the ${where}${service}. ${seen}`
}
