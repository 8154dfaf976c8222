// Renders the converted config as YAML with a comment above each key where the importer made a
// choice or a person is needed. Pure.
import { Document, isMap, isNode, isPair, isScalar, isSeq } from 'yaml'

export interface Remark {
  /** keys and list indexes down to the key (or list item) the comment sits above */
  path: (string | number)[]
  text: string
}

export function renderYaml(value: object, header: string[], remarks: Remark[]): string {
  // Jobs share one env list object; each gets its own copy in the text, not a YAML alias.
  const doc = new Document(value, { aliasDuplicateObjects: false })
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n')
  for (const r of remarks) {
    const node = nodeAt(doc, r.path)
    if (!node) throw new Error(`no node at ${r.path.join('.')} for the remark "${r.text}"`)
    const text = r.text
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n')
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text
  }
  return doc.toString({ lineWidth: 0 })
}

/** The key of a map entry, or the item of a list: what a comment above it hangs on. */
function nodeAt(
  doc: Document,
  path: (string | number)[],
): { commentBefore?: string | null } | null {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents
  const last = path.at(-1)
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last)
    return pair && isScalar(pair.key) ? pair.key : null
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last]
    return isNode(item) ? item : null
  }
  return null
}
