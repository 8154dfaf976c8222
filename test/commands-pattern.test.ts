// Command patterns: whole-word params, lazy earlier params, case-insensitive literals, overlap.
import { describe, expect, test } from 'bun:test'
import {
  matchTokens,
  parsePattern,
  patternsAmbiguous,
  patternsOverlap,
  precedence,
} from '../src/syntax/pattern.ts'

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

describe('precedence: a literal word beats a placeholder', () => {
  const win = (a: string, b: string) => Math.sign(precedence(parsePattern(a), parsePattern(b)))
  const ambiguous = (a: string, b: string) => patternsAmbiguous(parsePattern(a), parsePattern(b))
  test.each([
    ['show all', 'show [target]', -1],
    ['deploy now', 'deploy [env]', -1],
    ['a [y]', '[x] b', -1],
    ['sleep later [s]', 'sleep [s]', -1],
    ['deploy [env] [branch]', 'deploy [target]', 0],
    ['deploy [a] now', 'deploy later [b]', 1],
  ] as const)('%p vs %p -> %p', (a, b, expected) => {
    expect(win(a, b)).toBe(expected)
    expect(win(b, a)).toBe(-expected || 0)
  })
  test('only overlapping pairs without a winner are ambiguous', () => {
    expect(ambiguous('show [target]', 'show all')).toBe(false)
    expect(ambiguous('deploy [env] [branch]', 'deploy [target]')).toBe(true)
    expect(ambiguous('[x] a', '[x] b [y]')).toBe(true)
    expect(ambiguous('start [x]', 'stop [x]')).toBe(false)
  })
})
