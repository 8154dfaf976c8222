// `schedule:` on commands at load: a valid one compiles with its defaults; a bad cron, time zone,
// channel or capture is refused with the file, the key and the line.
import { describe, expect, test } from 'bun:test'
import { schedulesOf } from '../src/config/types.ts'
import { configErrorOf, configFrom } from './support/configs.ts'

const config = (schedule: string, extra = '') => `settings:
  schedule_grace: 10m
namespaces:
  ops:
    default_channel: "#ops"${extra}
    jobs:
      disk:
        run: df -h [mount]
    commands:
      - pattern: disk [mount]
        job: disk
        schedule:
${schedule
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
`

describe('a schedule loads', () => {
  test('with its cron, zone, channel, params and the grace from settings', () => {
    const c = configFrom(config('cron: "0 9 * * 1-5"\ntz: Europe/London\nparams: { mount: / }'))
    expect(schedulesOf(c)).toEqual([
      {
        id: 'ops/disk',
        namespace: 'ops',
        name: 'disk',
        job: 'disk',
        cron: '0 9 * * 1-5',
        tz: 'Europe/London',
        channel: '#ops',
        params: { mount: '/' },
        text: 'ops disk /',
        missed: 'latest',
        graceSeconds: 600,
      },
    ])
  })
  test.each(['America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'GB', 'US/Pacific', 'EST5EDT'])(
    'in a zone of three parts, an offset zone or an old alias: %s',
    (tz) => {
      const c = configFrom(config(`cron: "0 9 * * *"\ntz: ${tz}\nparams: { mount: / }`))
      expect(schedulesOf(c)[0]?.tz).toBe(tz)
    },
  )
  test('with a seconds field, its own name, channel, missed policy and grace; UTC by default', () => {
    const c = configFrom(
      config(
        'cron: "*/30 * * * * *"\nname: disk-root\nchannel: C0DISK\nmissed: skip\ngrace: 2h\nparams: { mount: / }',
      ),
    )
    const [s] = schedulesOf(c)
    expect(s).toMatchObject({
      id: 'ops/disk-root',
      tz: 'UTC',
      channel: 'C0DISK',
      missed: 'skip',
      graceSeconds: 7200,
    })
  })
})

describe('a bad schedule is refused with file and line', () => {
  const lines = (yaml: string) => configErrorOf(yaml).message.split('\n')
  test('a cron expression with a field out of range', () => {
    expect(lines(config('cron: "61 9 * * *"\nparams: { mount: / }'))).toEqual([
      'conf.yaml:13: namespaces.ops.commands[0].schedule.cron: bad cron expression "61 9 * * *": Invalid value for minute: 61 (five fields: minute hour day-of-month month day-of-week, or six with seconds first)',
    ])
  })
  test('a cron expression with too few fields', () => {
    expect(lines(config('cron: "9 * *"\nparams: { mount: / }'))[0]).toStartWith(
      'conf.yaml:13: namespaces.ops.commands[0].schedule.cron: bad cron expression "9 * *":',
    )
  })
  test('an unknown time zone', () => {
    expect(lines(config('cron: "0 9 * * *"\ntz: Europe/Londres\nparams: { mount: / }'))).toEqual([
      'conf.yaml:14: namespaces.ops.commands[0].schedule.tz: unknown time zone "Europe/Londres": use an IANA name such as Europe/London, America/New_York or UTC',
    ])
  })
  // The host's zone files answer first (they spare loading ICU at start-up): the names ICU
  // does not take must be refused all the same, or the ticker would fail on them later.
  test.each(['Factory', 'posix/Europe/London', 'right/UTC', 'zone.tab', 'localtime'])(
    'a file of the zone folder that is not a zone: %s',
    (tz) => {
      expect(lines(config(`cron: "0 9 * * *"\ntz: ${tz}\nparams: { mount: / }`))).toEqual([
        `conf.yaml:14: namespaces.ops.commands[0].schedule.tz: unknown time zone "${tz}": use an IANA name such as Europe/London, America/New_York or UTC`,
      ])
    },
  )
  test('a capture without a value, and a value for no capture', () => {
    expect(lines(config('cron: "0 9 * * *"\nparams: { mnt: / }'))).toEqual([
      'conf.yaml:14: namespaces.ops.commands[0].schedule.params: the pattern "disk [mount]" captures [mount]: give the schedule a value for it (params: { mount: ... })',
      'conf.yaml:14: namespaces.ops.commands[0].schedule.params.mnt: the pattern "disk [mount]" captures no [mnt]',
    ])
  })
  test('no channel to report in', () => {
    const yaml = config('cron: "0 9 * * *"\nparams: { mount: / }').replace(
      '    default_channel: "#ops"\n',
      '',
    )
    expect(lines(yaml)).toEqual([
      'conf.yaml:11: namespaces.ops.commands[0].schedule: a schedule reports somewhere: give it a channel, or the namespace ops a default_channel',
    ])
  })
  test('a channel the access rules do not allow', () => {
    const yaml = config(
      'cron: "0 9 * * *"\nparams: { mount: / }',
      '\n    allow: { channels: ["#deploys"] }',
    )
    expect(lines(yaml)).toEqual([
      'conf.yaml:13: namespaces.ops.commands[0].schedule: its runs would report in #ops, but the ops commands may only be run in #deploys',
    ])
  })
  test('two schedules of one name in a namespace', () => {
    const yaml = `namespaces:
  ops:
    default_channel: "#ops"
    jobs:
      disk:
        run: df -h
    commands:
      - pattern: disk
        job: disk
        schedule: { cron: "0 9 * * *" }
      - pattern: disk now
        job: disk
        schedule: { cron: "0 17 * * *" }
`
    expect(lines(yaml)).toEqual([
      'conf.yaml:13: namespaces.ops.commands[1].schedule: commands[0] already has a schedule named "disk" in ops; give one of them another name',
    ])
  })
  test('a schedule on a command that does not run a job', () => {
    const yaml = `namespaces:
  ops:
    default_channel: "#ops"
    jobs:
      disk:
        run: df -h
    commands:
      - pattern: drop disk
        action: cancel_job
        job: disk
        schedule: { cron: "0 9 * * *" }
`
    expect(lines(yaml)).toEqual([
      'conf.yaml:11: namespaces.ops.commands[0].schedule: only a command that runs a job can have a schedule (this one is cancel_job)',
    ])
  })
})
