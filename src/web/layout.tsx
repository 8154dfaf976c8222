/** @jsxImportSource hono/jsx */
// The page shell every run page shares: title, navigation, who is signed in, one stylesheet and
// (only where a log is live) one small script, both served by this app so the CSP can forbid
// everything else.
import type { Child } from 'hono/jsx'

export interface Shell {
  title: string
  user?: string
  csrf?: string
  flash?: string[]
  live?: boolean
  children?: Child
}

export const Layout = (p: Shell) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${p.title} · ebmbot`}</title>
      <link rel="stylesheet" href="/web/style.css" />
      {p.live ? <script src="/web/live.js" defer /> : null}
    </head>
    <body>
      <header>
        <strong>ebmbot</strong>
        {p.user ? (
          <nav>
            <a href="/web/">Queue</a>
            <a href="/web/history">History</a>
            <span class="who">{p.user}</span>
            <form method="post" action="/web/sign-out" class="inline">
              <input type="hidden" name="csrf" value={p.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </nav>
        ) : null}
      </header>
      <main>
        {(p.flash ?? []).map((f) => (
          <p class="flash" role="status">
            {f}
          </p>
        ))}
        <h1>{p.title}</h1>
        {p.children}
      </main>
    </body>
  </html>
)

export const STYLE = `
:root{font-family:system-ui,sans-serif;color:#1d1d1f;background:#fafafa}
body{margin:0}header{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#23282d;color:#fff}
header a{color:#fff;margin-right:1rem}nav{display:flex;align-items:center;gap:.5rem}.who{opacity:.8;margin-right:.5rem}
main{padding:1rem;max-width:72rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{font-weight:600;background:#f0f0f0}.state{padding:.1rem .4rem;border-radius:.3rem;font-size:.85rem;background:#e8e8e8}
.s-succeeded{background:#d5f5dd}.s-failed,.s-lost,.s-timed_out{background:#fbd9d6}.s-running{background:#d6e8fb}.s-pending,.s-awaiting_approval{background:#fdf1c7}
pre{background:#111;color:#eee;padding:.6rem;overflow:auto;max-height:32rem;white-space:pre-wrap;word-break:break-all}
form.inline{display:inline}button{cursor:pointer;padding:.3rem .8rem}button.danger{background:#c0392b;color:#fff;border:0;border-radius:.2rem}
button.primary{background:#2e7d32;color:#fff;border:0;border-radius:.2rem}.flash{background:#fff6d5;border:1px solid #e6d27a;padding:.5rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}.filters label{display:flex;flex-direction:column;font-size:.85rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}.muted{color:#666}
`
