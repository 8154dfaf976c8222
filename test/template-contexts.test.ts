// Templates where a value, though single-quoted, would be parsed again as code are refused at
// load, naming the file, line, key, why and what to write instead; the safe ways to write the
// same thing load.
import { describe, expect, test } from 'bun:test'
import { configErrorOf, configFrom } from './support/configs.ts'

const yamlWith = (run: string) => `
namespaces:
  op:
    jobs:
      deploy:
        run: ${JSON.stringify(run)}
    commands:
      - {pattern: "deploy [x]", job: deploy}
`

const REFUSED: [string, string, string][] = [
  ['cat <<EOF\ndeploying [x]\nEOF', 'a heredoc body', '`x=[x]` on its own, then `$x`'],
  ["cat <<'EOF'\n[x]\nEOF", 'a heredoc body', '`x=[x]`'],
  ['[[ [x] -eq 1 ]] && echo one', '`[[ … ]]`', '`[ [x] = prod ]`'],
  ['(( [x] > 1 )) && echo big', 'arithmetic', 'check it is a number first'],
  ['echo $(( [x] + 1 ))', 'arithmetic', 'check it is a number first'],
  ['let n=[x]+1', 'arithmetic', 'check it is a number first'],
  ['eval deploy [x]', 'an argument of `eval`', 'without eval'],
  ['bash -c [x]', 'the command string of `bash -c`', `bash -c 'deploy "$1"' _ [x]`],
  ['sudo -u app sh -ec [x]', 'the command string of `bash -c`', 'positional parameter'],
  ['ssh app1 ./deploy.sh [x]', 'an argument of `ssh`', 'ssh host "deploy ${v@Q}"'],
  ['su -c [x] app', 'the command of `su -c`', 'su -c "deploy ${v@Q}" user'],
]

describe('refused at load', () => {
  for (const [run, context, instead] of REFUSED)
    test(`${JSON.stringify(run)}: refused as ${context}, with what to write instead`, () => {
      const e = configErrorOf(yamlWith(run))
      expect(e.message).toContain('conf.yaml:6:')
      expect(e.message).toContain('namespaces.op.jobs.deploy.run')
      expect(e.message).toContain(`placeholder [x] is in ${context}`)
      expect(e.message).toContain(instead)
    })
})

describe('the safe forms load', () => {
  for (const run of [
    './deploy.sh [x]',
    'x=[x]\ncat <<EOF\ndeploying $x\nEOF',
    '[ [x] = prod ] && echo prod',
    `bash -c 'deploy "$1"' _ [x]`,
    'x=[x]; ssh app1 "./deploy.sh ${x@Q}"',
    'git checkout -- [x]',
    'cat <<< [x]',
    'echo [x]; cat <<EOF\nliteral \\[x]\nEOF',
  ])
    test(`${JSON.stringify(run)} loads`, () => {
      expect(configFrom(yamlWith(run)).namespaces.op!.jobs.deploy!.run).toBe(run)
    })
})
