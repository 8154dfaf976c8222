// Text a flow wrote (its log lines, artifact values, the exception it raised, its stderr) is
// quoted in Metaflow answers escaped for Slack: it shows as written, and cannot ping a channel
// or pass off a link under another label.
import { expect, test } from 'bun:test'
import { renderArtifact } from '../src/metaflow/artifacts.ts'
import { failureText } from '../src/metaflow/failure.ts'
import { formatLog } from '../src/metaflow/format.ts'

const HOSTILE = 'done <!channel> see <https://evil.example|your bank> & <@U0123>'
const ESCAPED =
  'done &lt;!channel&gt; see &lt;https://evil.example|your bank&gt; &amp; &lt;@U0123&gt;'
const noMarkup = (text: string) => {
  expect(text).not.toContain('<!channel>')
  expect(text).not.toContain('<https://evil.example|')
  expect(text).not.toContain('<@U0123>')
}

test('a log line a flow printed is escaped in `logs`', () => {
  const text = formatLog('start/1', 'stdout', 0, { text: HOSTILE, omitted: 0, total: 1 }, true)
  expect(text).toContain(ESCAPED)
  noMarkup(text)
})

test('an artifact value, short or long, is escaped in `data`', () => {
  const value = (s: string) => ({
    name: 'note',
    type: 'str',
    size: null,
    encoding: 'gzip+pickle-v4',
    value: { kind: 'str' as const, value: s },
    note: null,
  })
  for (const text of [
    renderArtifact(value(HOSTILE)),
    renderArtifact(value(`${HOSTILE}\n`.repeat(5))),
  ]) {
    expect(text).toContain('&lt;!channel&gt;')
    noMarkup(text)
  }
})

test('the exception a step raised and its stderr are escaped in the failure notice', () => {
  const text = failureText({
    task: { flow: 'F', run: '1', step: 'boom', task: '2' },
    exception: { type: 'builtins.ValueError', message: HOSTILE, stacktrace: null },
    stderrTail: [HOSTILE],
  })
  expect(text).toContain('ValueError: done &lt;!channel&gt;')
  noMarkup(text)
})
