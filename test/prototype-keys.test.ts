// Words that name members of every JavaScript object (`toString`, `constructor`, `__proto__`) are
// ordinary words to the router: a flow, parameter, outcome or namespace called that is simply
// not found, never a TypeError.
import { describe, expect, test } from 'bun:test'
import { route } from '../src/commands/route.ts'
import { parseRunVerb } from '../src/commands/run-verbs.ts'
import { terminalText } from '../src/chat/render-terminal.ts'
import { configFrom } from './support/configs.ts'

const config = configFrom(`
namespaces:
  demo:
    jobs: {hello: {run: echo hi}}
    commands: [{pattern: hello, job: hello}]
metaflow:
  datastore_sysroot: /srv/flows
  flows:
    HelloFlow: {file: hello.py, params: {alpha: {}}}
`)
const KEYS = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']
const FORMS = [
  'run K',
  'run K alpha=1',
  'run HelloFlow K=1',
  'K help',
  'help K',
  'history K',
  'history demo K',
  'runs K',
  'inspect K',
  'watch K',
  'K',
  'demo K',
]

describe('prototype keys in chat', () => {
  for (const k of KEYS)
    test(`"run ${k}" and ${FORMS.length - 1} other forms naming ${k} get a reply, never a TypeError`, () => {
      for (const form of FORMS) {
        const text = form.replaceAll('K', k)
        for (const threadMetaflow of [undefined, 'HelloFlow/12']) {
          const d = route(
            { config },
            { text, user: 'U1', isGuest: false, isDirect: true, threadMetaflow },
          )
          expect(d.kind).toBeString()
        }
      }
    })

  test('`run toString` says there is no such flow and names the ones there are', () => {
    const d = route(
      { config },
      { text: 'run toString', user: 'U1', isGuest: false, isDirect: true },
    )
    expect(JSON.stringify(d)).toContain('HelloFlow')
  })

  test('`history constructor` and `history __proto__` are a namespace name, not an outcome', () => {
    for (const w of ['constructor', '__proto__'])
      expect(parseRunVerb(['history', w])).toEqual({
        kind: 'history',
        namespace: w,
        job: undefined,
        outcome: undefined,
        page: 1,
      })
  })

  test('the terminal shows `:constructor:` and `:tostring:` as typed, not as a function', () => {
    expect(terminalText('done :constructor: :tostring: :x:')).toBe(
      'done :constructor: :tostring: ❌',
    )
  })
})
