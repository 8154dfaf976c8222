// The buttons each kind of run message carries, as data (see door.ts); doors render them.
import type { Controls } from './door.ts'

export const approvalControls = (runId: number): Controls => ({
  runId,
  buttons: [
    { action: 'approve', label: 'Approve', style: 'primary' },
    { action: 'deny', label: 'Deny', style: 'danger' },
  ],
})

export const runningControls = (runId: number): Controls => ({
  runId,
  buttons: [{ action: 'cancel', label: 'Cancel', style: 'danger' }],
})

export const finishedControls = (runId: number): Controls => ({
  runId,
  buttons: [
    { action: 'rerun', label: 'Rerun' },
    { action: 'logs', label: 'Logs' },
  ],
})

/** Under a report: which run it is, and its Rerun and Logs buttons. */
export const reportControls = (runId: number, jobType: string): Controls => ({
  ...finishedControls(runId),
  caption: `Run ${runId} · \`${jobType}\``,
})
