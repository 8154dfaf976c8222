// Loads an artifact's value from a local datastore and decodes it when it is plain data; renders it for chat.
import { escapeSlackText as esc } from '../util/slack-text.ts'
import { MetaflowNotFoundError, MetaflowUnavailableError } from './errors.ts'
import { errorText } from '../util/log.ts'
import type { BlobResult, LocalDatastore } from './datastore.ts'
import { PickleDecodeError, decodePickle, type PyValue } from './pickle.ts'
import { pyRepr, shortTypeName } from './py-repr.ts'
import type { MetaflowArtifact } from './types.ts'
import {
  decodeMetaflowException,
  EXCEPTION_WRAPPER,
  exceptionLine,
  type MetaflowException,
} from './exception.ts'
import { formatBytes } from '../util/bytes.ts'

export interface ArtifactContent {
  name: string
  /** Python type, e.g. `float`, `datetime.datetime`; from data.json, else from the decoded value */
  type: string | null
  /** size of the pickle in bytes, when known */
  size: number | null
  encoding: string
  /** the decoded value, only when it is plain data */
  value: PyValue | null
  /** why there is no value */
  note: string | null
  /** `_exception` of a failed task: what the step raised */
  exception?: MetaflowException
}

export interface LoadArtifactOptions {
  /** refuse blobs whose stored or unpacked size is larger; default 8 MB */
  maxBytes?: number
}

/** Types whose pickles are worth decoding; anything else is shown by type and size only. */
const SIMPLE_TYPES = new Set([
  'int',
  'float',
  'str',
  'bool',
  'NoneType',
  'list',
  'tuple',
  'dict',
  'set',
  'frozenset',
  'bytes',
  'bytearray',
])
/** Every label Metaflow's pickle serializer has written; no label means the oldest. */
const PICKLE_ENCODING = /^(gzip\+)?pickle-v[0-5]$/

export async function loadArtifact(
  datastore: LocalDatastore | null,
  artifact: MetaflowArtifact,
  options: LoadArtifactOptions = {},
): Promise<ArtifactContent> {
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024
  const encoding = artifact.content_type || 'gzip+pickle-v2'
  const content: ArtifactContent = {
    name: artifact.name,
    type: null,
    size: null,
    encoding,
    value: null,
    note: null,
  }
  const fail = (note: string) => ({ ...content, note })

  if (!PICKLE_ENCODING.test(encoding))
    return fail(`stored with encoding ${encoding}, which the bot cannot decode`)
  if (artifact.ds_type !== 'local')
    return fail(`stored in the ${artifact.ds_type} datastore, which the bot cannot read`)
  if (!artifact.location.startsWith(':root:'))
    return fail('stored in an old location format the bot does not read')
  if (!datastore)
    return fail('no local datastore root is configured (METAFLOW_DATASTORE_SYSROOT_LOCAL)')

  const task = {
    flow: artifact.flow_id,
    run: String(artifact.run_number),
    step: artifact.step_name,
    task: String(artifact.task_id),
  }
  const info = (await datastore.dataIndex(task, artifact.attempt_id).catch(() => null))?.info?.[
    artifact.name
  ]
  content.type = shortTypeName(info?.type)
  content.size = typeof info?.size === 'number' ? info.size : null
  // Known non-simple types are not even unpickled: their bytes are of no use to a chat reader.
  // Metaflow's exception wrapper is the one class worth reading: it says why a step failed.
  const wrapper = content.type === EXCEPTION_WRAPPER
  if (content.type && !wrapper && !SIMPLE_TYPES.has(content.type))
    return fail('not a simple Python value')

  // The blob is read under the configured root, never at the path in `location`: a record from the
  // service must not be able to steer reads elsewhere on this machine.
  let blob: BlobResult
  try {
    blob = await datastore.blob(artifact.flow_id, artifact.sha, maxBytes)
  } catch (err) {
    if (err instanceof MetaflowNotFoundError)
      return fail(`its data (${artifact.sha}) is missing from the datastore`)
    if (err instanceof MetaflowUnavailableError) return fail(err.message)
    throw err
  }
  if (!blob.ok) return fail(`too large to show (over ${formatBytes(blob.limit)})`)
  content.size ??= blob.bytes.length
  if (wrapper) {
    const exception = decodeMetaflowException(blob.bytes)
    return exception ? { ...content, exception } : fail('not a Metaflow exception record')
  }

  let value: PyValue
  try {
    value = decodePickle(blob.bytes)
  } catch (err) {
    if (err instanceof PickleDecodeError) return fail(errorText(err))
    throw err
  }
  if (value.kind === 'object')
    return { ...content, type: content.type ?? value.type, note: 'not a simple Python value' }
  content.type ??= kindToType(value)
  return { ...content, value }
}

function kindToType(v: PyValue): string {
  return v.kind === 'none' ? 'NoneType' : v.kind
}

export interface RenderArtifactOptions {
  /** cap on the whole text; default 3000 characters (Slack messages should stay under 4000) */
  maxChars?: number
}

/** One artifact for chat: a one-liner for short values, a code block for long ones. */
export function renderArtifact(c: ArtifactContent, options: RenderArtifactOptions = {}): string {
  const maxChars = options.maxChars ?? 3000
  const what = [c.type ?? 'unknown type', c.size !== null ? formatBytes(c.size) : null]
    .filter(Boolean)
    .join(', ')
  const head = `\`${c.name}\` (${what})`
  if (c.exception) {
    const trace = c.exception.stacktrace?.trimEnd()
    const body =
      trace && trace.length > maxChars - 200 ? `…${trace.slice(-(maxChars - 200))}` : trace
    return `${head}: ${esc(exceptionLine(c.exception))}${body ? `\n\`\`\`\n${esc(body).replaceAll('```', '`\u200b``')}\n\`\`\`` : ''}`
  }
  if (!c.value) return `${head}: not shown, ${esc(c.note ?? 'no value')}`
  // The flow's own data: escaped, so it shows as written and can neither ping nor pose as a link.
  const text = esc(pyRepr(c.value))
  if (text.length <= 80 && !text.includes('\n')) return `${head}: ${text}`
  const room = Math.max(0, maxChars - head.length - 20)
  const body = text.length > room ? `${text.slice(0, room)}…` : text
  return `${head}:\n\`\`\`\n${body.replaceAll('```', '`\u200b``')}\n\`\`\``
}
