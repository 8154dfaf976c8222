// What a failure report adds when the cause is likely the machine rather than the job.
import { expect, test } from 'bun:test'
import { failureHints } from '../src/app/reports.ts'

const full = (freeBytes: number) => ({
  stdout: '',
  stderr: '',
  logsFull: { freeBytes, dir: '/var/lib/ebmbot/logs' },
})

test('a full logs disk is named, with what is left and where', () => {
  expect(failureHints(null, full(0))).toEqual([
    ':floppy_disk: The disk holding the logs is full (0 bytes free in /var/lib/ebmbot/logs); the job may have failed for that reason.',
  ])
  expect(failureHints(null, full(700 * 1024))[0]).toContain('(700.0 KB free in')
  expect(failureHints(null, full(512))[0]).toContain('(512 bytes free in')
})

test('no full disk and no telling signal: nothing added', () => {
  expect(failureHints(null, { stdout: '', stderr: '' })).toEqual([])
  expect(failureHints('SIGKILL', { stdout: '', stderr: '', logsFull: null })).toEqual([])
})

test('SIGXFSZ is explained; both hints can apply at once', () => {
  expect(failureHints('SIGXFSZ', { stdout: '', stderr: '' })).toEqual([
    'SIGXFSZ means a file grew past the size limit set for the bot (`ulimit -f`, or `LimitFSIZE=` in its unit).',
  ])
  expect(failureHints('SIGXFSZ', full(0))).toHaveLength(2)
})
