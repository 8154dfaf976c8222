// Preloaded into a bot under test (`bun --preload`): when the process exits, writes every module
// it loaded, one path a line, to the file EBMBOT_TEST_MODULES_OUT names. Bun lists ES modules in
// require.cache too, so this is the runtime's own record, not a guess from the source.
import { writeFileSync } from 'node:fs'

const out = process.env.EBMBOT_TEST_MODULES_OUT
if (out) process.on('exit', () => writeFileSync(out, Object.keys(require.cache).join('\n')))
