// Places in a bash template where a value, though single-quoted, is parsed again as code: a
// heredoc body, `[[ … ]]`, `(( ))`, `$(( ))`, `let`, and the arguments of `eval`, `bash -c`
// (and the other shells), `ssh` and `su -c`. A value there can run `$(…)` from chat, so the
// loader refuses such templates, saying why and what to write instead. Pure; a lexer that knows
// quotes, heredocs and command separators, not a full bash parser: it errs towards refusing.

export interface UnsafePlaceholder {
  name: string
  /** where it stands, e.g. "a heredoc body" */
  context: string
  why: string
  /** what to write instead; `{p}` stands for the placeholder's name */
  instead: string
}

// `\[name]` is a literal `[name]`, not a placeholder.
const PLACEHOLDER = /(?<!\\)\[([A-Za-z0-9_]+)\]/g
// Placeholders are first turned into bracket-free marks, so `[[ -n [x]]]` still finds `x`.
const MARK = /\uE000([A-Za-z0-9_]+)\uE001/g
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox'])

const RULES = {
  heredoc: {
    context: 'a heredoc body',
    why: 'the shell expands $(…) and backquotes inside the body, and the quotes around the value are plain text there',
    instead:
      'assign it first and use the variable in the body: `{p}=[{p}]` on its own, then `${p}` inside the heredoc',
  },
  cond: {
    context: '`[[ … ]]`',
    why: 'its arithmetic operators (-eq, -lt, …) evaluate the value as an expression, and `a[$(cmd)]` runs cmd',
    instead: 'compare with `[ … ]` (for example `[ [{p}] = prod ]`) or `case [{p}] in …`',
  },
  arith: {
    context: 'arithmetic (`(( ))`, `$(( ))`, `let`)',
    why: 'arithmetic evaluates the value as an expression, and `a[$(cmd)]` runs cmd',
    instead:
      "check it is a number first: `n=[{p}]; case $n in ''|*[!0-9]*) exit 2;; esac`, then use `$n`",
  },
  eval: {
    context: 'an argument of `eval`',
    why: 'eval parses its arguments again as shell code, so the quotes no longer protect the value',
    instead: 'run the command directly, without eval',
  },
  shell: {
    context: 'the command string of `bash -c` (or another shell)',
    why: 'the string after -c is parsed as shell code',
    instead: 'pass the value as a positional parameter: `bash -c \'deploy "$1"\' _ [{p}]`',
  },
  ssh: {
    context: 'an argument of `ssh`',
    why: 'ssh joins its arguments into one string that the remote shell parses again',
    instead: 'quote it for the remote shell: `v=[{p}]; ssh host "deploy ${v@Q}"`',
  },
  su: {
    context: 'the command of `su -c`',
    why: 'the command given to su -c is parsed as shell code',
    instead: 'quote it for that shell: `v=[{p}]; su -c "deploy ${v@Q}" user`',
  },
} as const

type Kind = keyof typeof RULES

export function unsafePlaceholders(template: string): UnsafePlaceholder[] {
  const found = new Map<string, UnsafePlaceholder>()
  const flag = (text: string, kind: Kind) => {
    for (const m of text.matchAll(MARK)) {
      const key = `${m[1]}:${kind}`
      if (!found.has(key)) found.set(key, { name: m[1]!, ...RULES[kind] })
    }
  }
  const { code, bodies } = splitHeredocs(template.replace(PLACEHOLDER, '\uE000$1\uE001'))
  for (const b of bodies) flag(b, 'heredoc')
  const plain = blankQuotes(code)
  for (const region of regions(plain, '[[', ']]')) flag(region, 'cond')
  for (const region of [...regions(plain, '((', '))'), ...regions(plain, '$[', ']')])
    flag(region, 'arith')
  for (const words of simpleCommands(plain)) {
    const names = words.map(commandName)
    const at = (i: number) => words.slice(i).join(' ')
    const evalAt = names.findIndex((w) => w === 'eval' || w === 'let')
    if (evalAt >= 0) flag(at(evalAt + 1), names[evalAt] === 'let' ? 'arith' : 'eval')
    const sshAt = names.indexOf('ssh')
    if (sshAt >= 0) flag(at(sshAt + 1), 'ssh')
    names.forEach((w, i) => {
      const isShell = SHELLS.has(w) || (w === 'su' && 'su')
      if (!isShell) return
      // The word after -c (or -lc, -ec…, or su's --command) is the code.
      const c = words.findIndex(
        (x, j) => j > i && (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(x) || x === '--command'),
      )
      if (c >= 0 && words[c + 1]) flag(words[c + 1]!, w === 'su' ? 'su' : 'shell')
    })
  }
  return [...found.values()]
}

/** A word's command name: the last path segment (`/bin/sh` is `sh`). */
const commandName = (word: string) => word.split('/').at(-1) ?? word

/** Heredoc bodies apart from the rest, each `<<WORD` … `WORD` (also `<<-`, quoted words). */
function splitHeredocs(template: string): { code: string; bodies: string[] } {
  const lines = template.split('\n')
  const code: string[] = []
  const bodies: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    code.push(line)
    const starts = [...blankQuotes(line).matchAll(/(?<!<)<<(-?)\s*(?!<)/g)]
    for (const s of starts) {
      const rest = line.slice(s.index! + s[0].length)
      const word = /^(['"]?)([A-Za-z0-9_.-]+)\1/.exec(rest)
      if (!word) continue
      const strip = s[1] === '-'
      const body: string[] = []
      while (++i < lines.length) {
        const l = strip ? lines[i]!.replace(/^\t+/, '') : lines[i]!
        if (l === word[2]) break
        body.push(lines[i]!)
      }
      bodies.push(body.join('\n'))
    }
  }
  return { code: code.join('\n'), bodies }
}

/** The text with every quoted string's content blanked (placeholders in quotes are refused apart). */
function blankQuotes(text: string): string {
  let out = ''
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && quote !== "'") {
      out += quote ? '  ' : c + (text[i + 1] ?? '')
      i++
      continue
    }
    if (!quote && (c === '"' || c === "'")) quote = c
    else if (c === quote) quote = null
    out += quote && c !== quote ? ' ' : c
  }
  return out
}

/** The text between each `open` and its matching `close` (nesting of the same pair counted). */
function regions(text: string, open: string, close: string): string[] {
  const out: string[] = []
  let from = 0
  for (;;) {
    const start = text.indexOf(open, from)
    if (start < 0) return out
    let depth = 1
    let i = start + open.length
    while (i < text.length && depth > 0) {
      if (text.startsWith(open, i)) {
        depth++
        i += open.length
      } else if (text.startsWith(close, i)) {
        depth--
        i += close.length
      } else i++
    }
    out.push(text.slice(start + open.length, i))
    from = start + open.length
  }
}

/** Words of each simple command: split at `;`, `&&`, `||`, `|`, `&`, newlines, `(`, `)`, backquotes. */
function simpleCommands(text: string): string[][] {
  return text
    .split(/;|&&|\|\||\||&|\n|\(|\)|`|\{|\}/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((w) => w.length)
}
