import type { CST, Document, Scalar } from 'yaml'

/**
 * The `yaml` package, passed in by the caller: the core never imports it, so that it is loaded
 * (with `await import('yaml')`) only when a YAML format is asked for.
 */
export type YamlModule = typeof import('yaml')

/** A string that every YAML reader (1.1 or 1.2) reads back as that same string. */
export function quoted(yaml: YamlModule, value: string): Scalar<string> {
  const scalar = new yaml.Scalar(value)
  scalar.type = yaml.Scalar.QUOTE_DOUBLE
  return scalar
}

/** The document as text, on the given line ending; long strings are never folded. */
export function render(doc: Document, eol: '\n' | '\r\n'): string {
  const text = doc.toString({ lineWidth: 0, indentSeq: true })
  return eol === '\n' ? text : text.replace(/\n/g, eol)
}

/**
 * How deeply a YAML file may nest its collections to be read: deeper than any flow, values file or
 * Secret, and far below where the yaml package runs out of stack. Its parser pops a run of closed
 * collections recursively (about a thousand levels, then a RangeError with our stack trace) and its
 * composer recurses once per level; after one such overflow, the next deep file of a run can abort
 * Node itself (V8 fails to compile a regular expression on the exhausted stack). So the nesting is
 * measured while the file is parsed, and the parse stops there.
 */
export const MAX_YAML_DEPTH = 100

/** The CST of a YAML text, and where it was cut off for nesting more than MAX_YAML_DEPTH levels. */
export interface YamlTokens {
  /** Every document's tokens, as the package's `Parser.parse` gives them: whole up to `tooDeep`. */
  tokens: CST.Token[]
  /** The offset where the text nests too deeply; nothing from there on is in `tokens`. */
  tooDeep?: number
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection'])

/**
 * `new Parser(onNewLine).parse(text)` (the lexer run by hand, as the package documents), with the
 * parser's stack measured after each lexeme: it holds the document and the open collections, and
 * grows by a token or two a lexeme, so it is counted only when it is longer than the limit.
 */
export function parseYaml(yaml: YamlModule, text: string, onNewLine?: (offset: number) => void): YamlTokens {
  const parser = new yaml.Parser(onNewLine)
  const tokens: CST.Token[] = []
  onNewLine?.(0)
  for (const lexeme of new yaml.Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token)
    if (parser.stack.length > MAX_YAML_DEPTH + 1 && depth(parser.stack) > MAX_YAML_DEPTH) {
      const tooDeep = parser.offset
      // Closing what is open is a pop per level: no deeper than the limit.
      for (const token of parser.end()) tokens.push(token)
      return { tokens, tooDeep }
    }
  }
  for (const token of parser.end()) tokens.push(token)
  return { tokens }
}

function depth(stack: readonly CST.Token[]): number {
  let collections = 0
  for (const token of stack) if (COLLECTIONS.has(token.type)) collections++
  return collections
}
