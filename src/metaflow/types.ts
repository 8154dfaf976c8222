// Metaflow metadata objects exactly as the metadata service serialises them; the local reader returns the same shapes.

/** Service ids are integers; scheduler-registered runs and named tasks use strings; local ids are always strings. */
type MetaflowId = number | string

/** `tags`/`system_tags` may be null on the wire (the service stores SQL NULL). */
export type Tags = string[] | null

export interface MetaflowFlow {
  flow_id: string
  user_name: string | null
  /** epoch milliseconds */
  ts_epoch: number
  tags: Tags
  system_tags: Tags
}

export interface MetaflowRun {
  flow_id: string
  run_number: MetaflowId
  user_name: string | null
  ts_epoch: number
  tags: Tags
  system_tags: Tags
  /** epoch **seconds**; null for clients older than 2.2.12 and for every local run */
  last_heartbeat_ts: number | null
  /** only from servers newer than v2.5.1, and only when `system_tags` holds `user:<user_name>` */
  user?: string
  /** only from newer servers, and only when the request filtered by status */
  status?: 'running' | 'completed' | 'failed'
}

export interface MetaflowStep {
  flow_id: string
  run_number: MetaflowId
  step_name: string
  user_name: string | null
  ts_epoch: number
  tags: Tags
  system_tags: Tags
}

export interface MetaflowTask {
  flow_id: string
  run_number: MetaflowId
  step_name: string
  task_id: MetaflowId
  user_name: string | null
  ts_epoch: number
  tags: Tags
  system_tags: Tags
  /** epoch seconds; always null locally */
  last_heartbeat_ts: number | null
}

export interface MetaflowMetadata {
  /** Service row id. Local metadata files carry none, so the local reader leaves it out. */
  id?: number
  flow_id: string
  run_number: MetaflowId
  step_name: string
  task_id: MetaflowId
  field_name: string
  /** always a string, even for numbers and booleans ("True"/"False") */
  value: string
  type: string
  user_name: string | null
  ts_epoch: number
  /** holds `attempt_id:<n>` */
  tags: Tags
  system_tags: Tags
}

export interface MetaflowArtifact {
  flow_id: string
  run_number: MetaflowId
  step_name: string
  task_id: MetaflowId
  name: string
  /** `:root:<datastore root>` (older artifacts: a full object URL) */
  location: string
  ds_type: string
  /** 40-hex SHA-1 of the uncompressed pickle: the blob's key */
  sha: string
  type: string
  /** the encoding label, e.g. `pickle-v4`, `gzip+pickle-v4`, `gzip+pickle-v2` */
  content_type: string
  user_name: string | null
  attempt_id: number
  ts_epoch: number
  tags: Tags
  system_tags: Tags
}

/** Address of one task; every id is kept as the text used in paths. */
export interface TaskPath {
  flow: string
  run: string
  step: string
  task: string
}

/** `<n>.data.json`, the artifact index a task attempt writes when it ends. */
export interface DataIndex {
  datastore?: string
  version?: string
  attempt?: number
  python_version?: string
  objects: Record<string, string>
  info?: Record<string, { size?: number; type?: string; encoding?: string }>
}

/** `<n>.runtime`, written by the local runtime when the attempt's process exits. */
export interface RuntimeRecord {
  return_code?: number | null
  killed?: boolean
  success?: boolean
}
