// The only script of the pages (well under a kilobyte): each live log follows its run through
// server-sent events (`chunk`: JSON text to append; `end`: the run is over), keeps to the bottom
// while the reader is there, and reloads the page at the end so the outcome and buttons are final.
export const LIVE_SCRIPT = `
for (const pre of document.querySelectorAll('pre[data-live]')) {
  const es = new EventSource(pre.dataset.live)
  es.addEventListener('chunk', (e) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4
    pre.append(JSON.parse(e.data))
    if (atEnd) pre.scrollTop = pre.scrollHeight
  })
  es.addEventListener('end', () => {
    es.close()
    setTimeout(() => location.reload(), 300)
  })
}
`
