import type { Document, Scalar } from 'yaml'

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
