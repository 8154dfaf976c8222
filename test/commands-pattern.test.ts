// Command patterns: whole-word params, lazy earlier params, case-insensitive literals, overlap.
import { describe, expect, test } from 'bun:test'
import { matchTokens, parsePattern, patternsOverlap } from '../src/commands/pattern.ts'

const m = (pattern: string, text: string) => matchTokens(parsePattern(pattern), text.split(' '))

describe('matching', () => {
  test('a param captures one or more whole words', () => {
    expect(m('hello [name]', 'hello big world')).toEqual({ name: 'big world' })
    expect(m('hello [name]', 'hello')).toBeNull()
  })
  test('earlier params take as few words as still let the rest match', () => {
    expect(m('deploy [env] [branch]', 'deploy staging my branch')).toEqual({
      env: 'staging',
      branch: 'my branch',
    })
    expect(m('copy [a] to [b]', 'copy x y to z')).toEqual({ a: 'x y', b: 'z' })
  })
  test('literals match in any case; values keep the user case', () => {
    expect(m('Deploy [env]', 'DEPLOY Prod')).toEqual({ env: 'Prod' })
  })
  test('the pattern must cover the text from first word to last', () => {
    expect(m('deploy', 'deploy now')).toBeNull()
    expect(m('deploy now', 'deploy')).toBeNull()
  })
  test('regex characters in a pattern are plain characters', () => {
    expect(m('what.is (up)?', 'what.is (up)?')).toEqual({})
    expect(m('what.is (up)?', 'whatXis up')).toBeNull()
  })
})

describe('overlap (ambiguity refused at load)', () => {
  const o = (a: string, b: string) => patternsOverlap(parsePattern(a), parsePattern(b))
  test.each([
    ['deploy [env]', 'deploy now', true],
    ['hello', 'hello [name]', false],
    ['deploy [env] [branch]', 'deploy [target]', true],
    ['deploy [a] now', 'deploy later [b]', true],
    ['sleep [s]', 'sleep later [s]', true],
    ['a b', 'a c', false],
    ['[x] b', 'a [y]', true],
    ['start [x]', 'stop [x]', false],
  ] as const)('%p vs %p -> %p', (a, b, expected) => {
    expect(o(a, b)).toBe(expected)
    expect(o(b, a)).toBe(expected)
  })
})
