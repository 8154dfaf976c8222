// The pure rules behind a run's box and limits: where the cgroup v2 tree is, which processes
// belong to a run, how much of each log is kept, sizes and ages in the config, who may switch user.
import { describe, expect, test } from 'bun:test'
import { parseAge, parseSize } from '../src/config/limits-schema.ts'
import { unifiedMount, unifiedPath } from '../src/dispatcher/cgroup.ts'
import { shares } from '../src/dispatcher/output-watch.ts'
import { parseStat, runProcesses, type ProcEntry } from '../src/dispatcher/proc-scan.ts'
import { ambientCanSwitch, parseEntry } from '../src/dispatcher/run-as.ts'

describe('cgroup v2 discovery', () => {
  test('finds the unified hierarchy, on a hybrid host too, and the process path in it', () => {
    const hybrid = [
      '30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
      '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
      '32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
    ].join('\n')
    expect(unifiedMount(hybrid)).toBe('/sys/fs/cgroup/unified')
    expect(unifiedPath('4:memory:/x\n0::/system.slice/ebmbot.service\n')).toBe(
      '/system.slice/ebmbot.service',
    )
  })
  test('a mount of a subtree, or no cgroup v2 at all, means no cgroup containment', () => {
    expect(unifiedMount('31 30 0:27 /sub /sys/fs/cgroup rw - cgroup2 cgroup2 rw')).toBeNull()
    expect(unifiedMount('32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw')).toBeNull()
    expect(unifiedPath('4:memory:/x\n')).toBeNull()
  })
})

describe('which processes belong to a run (the sweep)', () => {
  const self = process.pid
  const p = (pid: number, ppid: number, pgrp = pid, session = pgrp, state = 'S'): ProcEntry => ({
    pid,
    ppid,
    pgrp,
    session,
    state,
  })
  const procs = [
    p(1, 0),
    p(self, 1),
    p(100, self), // the leader: its own group and session
    p(101, 100, 100, 100), // a child in its group
    p(200, 1, 200, 200), // setsid daemon, orphaned, marked
    p(201, 200, 200, 200), // its child, unmarked
    p(300, 1), // unrelated
    p(400, 1, 100, 100, 'Z'), // a zombie of the group: already dead
  ]
  test('marked processes, the leader group and session, and all their descendants', () => {
    const got = runProcesses(procs, (pid) => pid === 200, 100).sort((a, b) => a - b)
    expect(got).toEqual([100, 101, 200, 201])
  })
  test('without a leader only the marker counts; the bot and init are never included', () => {
    expect(runProcesses(procs, (pid) => pid === 200 || pid === self || pid === 1)).toEqual([
      200, 201,
    ])
  })
  test('/proc/<pid>/stat with spaces and parentheses in the command name', () => {
    expect(parseStat(7, '7 (my (odd) job) S 3 7 7 0 -1 4194304')).toEqual({
      pid: 7,
      ppid: 3,
      pgrp: 7,
      session: 7,
      state: 'S',
    })
    expect(parseStat(7, 'garbage')).toBeNull()
  })
})

test('max_output keeps a small stream whole and gives the rest to the other', () => {
  expect(shares(10, 5, 100)).toEqual([10, 5])
  expect(shares(500, 5, 100)).toEqual([95, 5])
  expect(shares(5, 500, 100)).toEqual([5, 95])
  expect(shares(500, 500, 100)).toEqual([50, 50])
})

test('sizes: KB, MB, GB are powers of 1000, KiB, MiB, GiB of 1024; ages in hours, days, weeks', () => {
  expect(parseSize('64MiB')).toBe(64 * 1024 * 1024)
  expect(parseSize('2MB')).toBe(2_000_000)
  expect(parseSize(4096)).toBe(4096)
  expect(parseSize('64 parsecs')).toBeNull()
  expect(parseAge('30d')).toBe(30 * 86_400)
  expect(parseAge('12h')).toBe(43_200)
  expect(parseAge('2w')).toBe(14 * 86_400)
  expect(parseAge('30x')).toBeNull()
})

describe('run_as', () => {
  test('switching user needs CAP_SETUID and CAP_SETGID in the ambient set', () => {
    expect(ambientCanSwitch('CapInh:\t00000000000000c0\nCapAmb:\t00000000000000c0\n')).toBe(true)
    expect(ambientCanSwitch('CapAmb:\t0000000000000080\n')).toBe(false) // CAP_SETUID alone
    expect(ambientCanSwitch('CapAmb:\t0000000000000000\n')).toBe(false)
  })
  test('passwd and group lines from getent', () => {
    expect(parseEntry('ebmbot-jobs:x:995:994::/var/lib/ebmbot-jobs:/usr/sbin/nologin\n')).toEqual({
      name: 'ebmbot-jobs',
      id: 995,
      gid: 994,
      home: '/var/lib/ebmbot-jobs',
    })
    expect(parseEntry('')).toBeNull()
  })
})
