// Decoding real python3 pickles without pickleparser's integer pitfalls, loading blobs from a datastore, and chat rendering.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { loadArtifact, renderArtifact, type ArtifactContent } from '../src/metaflow/artifacts.ts'
import { LocalDatastore } from '../src/metaflow/datastore.ts'
import { PickleDecodeError, decodePickle, isSimple } from '../src/metaflow/pickle.ts'
import { floatRepr, pyRepr, pyToJson, shortTypeName } from '../src/metaflow/py-repr.ts'
import type { MetaflowArtifact } from '../src/metaflow/types.ts'
import { makeTempSysroot, pickleAll, pickleOne } from './support/metaflow-fixtures.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

// One python3 process for the expressions below (each miss would start another).
beforeAll(() => {
  const at = (protocols: number[], exprs: string[]) =>
    protocols.flatMap((protocol) => exprs.map((expr) => ({ expr, protocol })))
  pickleAll([
    ...at([2, 4], ['2**53 + 1', '-2**40', '2**64 - 1', '2**70', '-(2**100)', '[2**70, -2**70]']),
    ...at([2], ['decimal.Decimal("1.5")', '"s"']),
    ...at(
      [4],
      [
        '10**60',
        'datetime.datetime(2026, 1, 2, 3, 4)',
        '{"when": datetime.date(2020, 1, 1)}',
        '(lambda l: (l.append(l), l)[1])([1])',
        'list(range(60))',
        '"x" * 600',
        '{"a": [1, 2.5, None, 2**70, float("nan")], "b": {1: 2}}',
        '0.5',
        '[1, 2]',
        '{"k": 1}',
        'datetime.date(2020, 1, 1)',
        'datetime.datetime(2026, 1, 2)',
        'list(range(40))',
        '12345',
        '"x" * 100000',
        '"original"',
        '"tampered"',
      ],
    ),
  ])
}, HOOK_TIMEOUT)

/** repr of a python3 expression after a round trip through pickle at `protocol` */
const repr = (expr: string, protocol = 4) => pyRepr(decodePickle(pickleOne(expr, protocol).bytes))

describe('decodePickle: simple types from real pickles', () => {
  // Warm the cache with one python3 run for everything below.
  const cases: Array<[string, string]> = [
    ['1', '1'],
    ['-5', '-5'],
    ['300', '300'],
    ['70000', '70000'],
    ['-2**31', '-2147483648'],
    ['0.5', '0.5'],
    ['1.0', '1.0'],
    ['-0.0', '-0.0'],
    ['1e-7', '1e-07'],
    ['1e16', '1e+16'],
    ['float("nan")', 'nan'],
    ['float("-inf")', '-inf'],
    ['"hello"', "'hello'"],
    ['"it\'s \\"q\\"\\n"', "'it\\'s \"q\"\\n'"],
    ['"héllo €"', "'héllo €'"],
    ['""', "''"],
    ['None', 'None'],
    ['True', 'True'],
    ['False', 'False'],
    ['[1, 2.5, "a", None, True]', "[1, 2.5, 'a', None, True]"],
    ['(1, 2)', '[1, 2]'],
    ['{"a": 1, "b": [1, {"c": None}]}', "{'a': 1, 'b': [1, {'c': None}]}"],
    ['{1: "x", (1, 2): 3}', "{1: 'x', [1, 2]: 3}"],
    ['{3, 1}', '{1, 3}'],
    ['set()', 'set()'],
    ['frozenset([2])', '{2}'],
    ['b"\\x00ab"', "b'\\x00ab'"],
    ['[[[]]]', '[[[]]]'],
  ]
  beforeAll(() => {
    pickleAll([0, 2, 4, 5].flatMap((protocol) => cases.map(([expr]) => ({ expr, protocol }))))
  }, HOOK_TIMEOUT)
  for (const protocol of [0, 2, 4, 5]) {
    test(`protocol ${protocol}`, () => {
      for (const [expr, want] of cases)
        expect(`${expr} → ${repr(expr, protocol)}`).toBe(`${expr} → ${want}`)
    })
  }

  test('big and negative ints decode exactly (pickleparser alone gets these wrong or throws)', () => {
    for (const protocol of [2, 4]) {
      expect(repr('2**53 + 1', protocol)).toBe('9007199254740993')
      expect(repr('-2**40', protocol)).toBe('-1099511627776')
      expect(repr('2**64 - 1', protocol)).toBe('18446744073709551615')
      expect(repr('2**70', protocol)).toBe('1180591620717411303424')
      expect(repr('-(2**100)', protocol)).toBe('-1267650600228229401496703205376')
      expect(repr('[2**70, -2**70]', protocol)).toBe(
        '[1180591620717411303424, -1180591620717411303424]',
      )
    }
    expect(decodePickle(pickleOne('2**70').bytes)).toEqual({ kind: 'int', value: 2n ** 70n })
    // Too long to be useful in chat: summarised, never wrong.
    expect(repr('10**60')).toBe('int (too large to show exactly, 61 digits)')
  })

  test('classes are opaque: shown by type, nested ones inline', () => {
    expect(decodePickle(pickleOne('datetime.datetime(2026, 1, 2, 3, 4)').bytes)).toEqual({
      kind: 'object',
      type: 'datetime.datetime',
    })
    expect(decodePickle(pickleOne('decimal.Decimal("1.5")', 2).bytes)).toEqual({
      kind: 'object',
      type: 'decimal.Decimal',
    })
    const nested = decodePickle(pickleOne('{"when": datetime.date(2020, 1, 1)}').bytes)
    expect(pyRepr(nested)).toBe("{'when': <datetime.date object>}")
    expect(isSimple(nested)).toBe(false)
  })

  test('nothing in a pickle is executed', () => {
    const marker = join(process.env.TMPDIR ?? '/tmp', `ebmbot-pwned-${process.pid}`)
    const evil = new TextEncoder().encode(`cos\nsystem\n(S'touch ${marker}'\ntR.`)
    expect(decodePickle(evil)).toEqual({ kind: 'object', type: 'os.system' })
    expect(existsSync(marker)).toBe(false)
  })

  test('a cycle is shown as [...]; garbage is a PickleDecodeError', () => {
    expect(repr('(lambda l: (l.append(l), l)[1])([1])')).toBe('[1, [...]]')
    expect(() => decodePickle(new Uint8Array([0x80, 0x04, 0xff]))).toThrow(PickleDecodeError)
    expect(() => decodePickle(new Uint8Array([0x80, 0x04, 0x4b]))).toThrow(PickleDecodeError)
  })
})

describe('py-repr helpers', () => {
  test('long values are cut with a count', () => {
    expect(pyRepr(decodePickle(pickleOne('list(range(60))').bytes))).toEndWith('49, … 10 more]')
    expect(pyRepr(decodePickle(pickleOne('"x" * 600').bytes))).toEndWith("'… (600 characters)")
  })
  test('floatRepr, shortTypeName', () => {
    expect(floatRepr(3)).toBe('3.0')
    expect(floatRepr(123456.789)).toBe('123456.789')
    expect(shortTypeName("<class 'datetime.datetime'>")).toBe('datetime.datetime')
    expect(shortTypeName(undefined)).toBeNull()
  })
  test('pyToJson: plain JSON, big ints as strings', () => {
    const v = decodePickle(
      pickleOne('{"a": [1, 2.5, None, 2**70, float("nan")], "b": {1: 2}}').bytes,
    )
    expect(pyToJson(v)).toEqual({ a: [1, 2.5, null, '1180591620717411303424', 'nan'], b: [[1, 2]] })
  })
})

describe('loadArtifact', () => {
  let sysroot: string
  let ds: LocalDatastore
  const flow = 'HelloFlow'

  /** Stores a blob (and optionally a data.json entry) and returns an artifact record for it. */
  async function store(
    name: string,
    expr: string,
    opts: { raw?: boolean; sidecar?: boolean; index?: boolean; protocol?: number } = {},
  ): Promise<MetaflowArtifact> {
    const p = pickleOne(expr, opts.protocol ?? 4)
    const dir = join(ds.root, flow, 'data', p.sha.slice(0, 2))
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, p.sha), opts.raw ? p.bytes : gzipSync(p.bytes, { level: 3 }))
    if (opts.sidecar ?? true)
      await writeFile(
        join(dir, `${p.sha}_meta`),
        JSON.stringify({ cas_raw: opts.raw ?? false, cas_version: 1 }),
      )
    const taskDir = join(ds.root, flow, '7', 'start', name)
    await mkdir(taskDir, { recursive: true })
    if (opts.index ?? true) {
      await writeFile(
        join(taskDir, '0.data.json'),
        JSON.stringify({
          objects: { [name]: p.sha },
          info: { [name]: { size: p.size, type: p.type, encoding: 'pickle-v4' } },
        }),
      )
      await writeFile(join(taskDir, '0.DONE.lock'), '')
    }
    return {
      flow_id: flow,
      run_number: 7,
      step_name: 'start',
      task_id: name,
      name,
      location: `:root:${ds.root}`,
      ds_type: 'local',
      sha: p.sha,
      type: 'metaflow.artifact',
      content_type: 'pickle-v4',
      user_name: 'savin',
      attempt_id: 0,
      ts_epoch: 1,
      tags: [],
      system_tags: [],
    }
  }

  beforeAll(async () => {
    sysroot = await makeTempSysroot()
    ds = new LocalDatastore(join(sysroot, '.metaflow'))
  })
  afterAll(async () => {
    await rm(sysroot, { recursive: true, force: true })
  })

  test('a gzip blob with its data.json type and size', async () => {
    const c = await loadArtifact(ds, await store('alpha', '0.5'))
    expect(c).toMatchObject({
      name: 'alpha',
      type: 'float',
      encoding: 'pickle-v4',
      value: { kind: 'float', value: 0.5 },
      note: null,
    })
    expect(c.size).toBe(pickleOne('0.5').size)
    expect(renderArtifact(c)).toBe(`\`alpha\` (float, ${c.size} bytes): 0.5`)
  })

  test('cas_raw blobs, and old blobs without a sidecar (gzip)', async () => {
    expect((await loadArtifact(ds, await store('raw', '[1, 2]', { raw: true }))).value).toEqual({
      kind: 'list',
      items: [
        { kind: 'int', value: 1n },
        { kind: 'int', value: 2n },
      ],
    })
    expect(
      (await loadArtifact(ds, await store('old', '"s"', { sidecar: false, protocol: 2 }))).value,
    ).toEqual({ kind: 'str', value: 's' })
  })

  test('without data.json the type comes from the value', async () => {
    const c = await loadArtifact(ds, await store('noindex', '{"k": 1}', { index: false }))
    expect(c.type).toBe('dict')
    const obj = await loadArtifact(
      ds,
      await store('noindex2', 'datetime.date(2020, 1, 1)', { index: false }),
    )
    expect(obj).toMatchObject({
      type: 'datetime.date',
      value: null,
      note: 'not a simple Python value',
    })
  })

  test('a class instance is shown by type and size only', async () => {
    const c = await loadArtifact(ds, await store('when', 'datetime.datetime(2026, 1, 2)'))
    expect(renderArtifact(c)).toBe(
      `\`when\` (datetime.datetime, ${c.size} bytes): not shown, not a simple Python value`,
    )
  })

  test('long values render as a code block', async () => {
    const c = await loadArtifact(ds, await store('big', 'list(range(40))'))
    expect(renderArtifact(c)).toStartWith('`big` (list, ')
    expect(renderArtifact(c)).toContain('```\n[0, 1, 2,')
  })

  test('what cannot be read says why', async () => {
    const a = await store('gone', '12345')
    const cases: Array<[Partial<MetaflowArtifact>, LocalDatastore | null, string]> = [
      [
        { ds_type: 's3', location: ':root:s3://bucket/metaflow' },
        ds,
        'stored in the s3 datastore, which the bot cannot read',
      ],
      [
        { content_type: 'custom-json' },
        ds,
        'stored with encoding custom-json, which the bot cannot decode',
      ],
      [
        { location: '/full/old/path' },
        ds,
        'stored in an old location format the bot does not read',
      ],
      [{}, null, 'no local datastore root is configured (METAFLOW_DATASTORE_SYSROOT_LOCAL)'],
      [{ sha: 'f'.repeat(40) }, ds, `its data (${'f'.repeat(40)}) is missing from the datastore`],
    ]
    for (const [change, store_, note] of cases) {
      const c: ArtifactContent = await loadArtifact(store_, { ...a, ...change })
      expect(c.note).toBe(note)
      expect(c.value).toBeNull()
    }
    expect((await loadArtifact(ds, { ...a, content_type: '' })).value).toEqual({
      kind: 'int',
      value: 12345n,
    })
  })

  test('too large, and damaged blobs', async () => {
    const a = await store('huge', '"x" * 100000')
    expect((await loadArtifact(ds, a, { maxBytes: 1000 })).note).toBe(
      'too large to show (over 1000 bytes)',
    )
    const b = await store('damaged', '"original"')
    await writeFile(
      join(ds.root, flow, 'data', b.sha.slice(0, 2), b.sha),
      gzipSync(pickleOne('"tampered"').bytes),
    )
    expect((await loadArtifact(ds, b)).note).toContain('is damaged')
  })
})
