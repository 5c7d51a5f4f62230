/**
 * Finding the secrets Kestra flows use, in the text of their YAML files. No YAML parser is
 * needed: `secret('NAME')` only does anything inside a Pebble expression (`{{ ... }}` or
 * `{% ... %}`), and a multi-line YAML string is, for this purpose, just more text. Quotes escaped
 * by YAML itself are understood too: `"{{ secret(\"NAME\") }}"` and `'{{ secret(''NAME'') }}'`.
 */
import { lineIndex } from './lines.js'

/** One `secret('NAME', ...)` call with a literal name. */
export interface SecretReference {
  /** The name as written (Kestra upper-cases it to look it up). */
  name: string
  /** 1-based line of the name. */
  line: number
}

export interface FlowSecrets {
  references: SecretReference[]
  /** Lines of `secret(...)` calls whose name is computed, which no text scan can check. */
  dynamic: number[]
}

// `secret(` not preceded by a name character or a dot (so not `mysecret(` nor `x.secret(`), an
// optional `key=`, then a literal in one of the four quotings, ending the first argument.
const LITERAL_CALL = /(?<![\w.])secret\s*\(\s*(?:key\s*=\s*)?(\\"|''|"|')([^'"\\\r\n]*)\1\s*(?=[,)])/g
const ANY_CALL = /(?<![\w.])secret\s*\(/g

/** Every `secret(...)` call inside the expressions of a flow file, in order. */
export function findSecretReferences(text: string): FlowSecrets {
  const references: SecretReference[] = []
  const dynamic: number[] = []
  const lines = lineIndex(text)
  // The next `{{` and the next `{%` are each searched for again only once passed: searching for
  // both after every expression rescans to the end of the text for one that never occurs.
  let nextVar = text.indexOf('{{')
  let nextTag = text.indexOf('{%')
  let pos = 0
  for (;;) {
    if (nextVar !== -1 && nextVar < pos) nextVar = text.indexOf('{{', pos)
    if (nextTag !== -1 && nextTag < pos) nextTag = text.indexOf('{%', pos)
    const open = nextVar === -1 ? nextTag : nextTag === -1 ? nextVar : Math.min(nextVar, nextTag)
    if (open === -1) break
    const closer = text[open + 1] === '{' ? '}}' : '%}'
    const close = text.indexOf(closer, open + 2)
    if (close === -1) break
    const expression = text.slice(open + 2, close)
    const literal = new Set<number>()
    for (const m of expression.matchAll(LITERAL_CALL)) {
      literal.add(m.index)
      const name = m[2] as string
      if (name === '') continue
      const at = open + 2 + m.index + m[0].indexOf(name, m[0].indexOf('('))
      references.push({ name, line: lines.lineAt(at) })
    }
    for (const m of expression.matchAll(ANY_CALL)) {
      if (!literal.has(m.index)) dynamic.push(lines.lineAt(open + 2 + m.index))
    }
    pos = close + 2
  }
  return { references, dynamic }
}
