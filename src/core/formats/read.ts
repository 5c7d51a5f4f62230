import { isUtf8 } from 'node:buffer'
import type { Document, LineCounter, Node, YAMLError } from 'yaml'
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js'
import { diagnostic } from '../diagnostics.js'
import type { YamlModule } from './yaml.js'

/** The formats `readFormatted` recognises (the env format is read by the .env scanner). */
export type DocumentFormat = 'helm' | 'helm-legacy' | 'k8s-secret' | 'json'

/** One variable as the document hands it to Kestra. */
export interface FormattedEntry {
  /** The variable's name, e.g. `SECRET_DB_PASSWORD`. */
  variable: string
  /**
   * The text Kestra receives for it, i.e. our base64: the value of a Helm `extraEnv` item or of a
   * JSON member, a Secret's `stringData` value, or a Secret's `data` value decoded once.
   */
  encoded: string
  /** 1-based line of the entry's name in the document. */
  line: number
}

export interface FormattedDocument {
  format: DocumentFormat
  /** In document order; duplicates are kept (the caller's checks report them). */
  entries: FormattedEntry[]
  /** Syntax errors and entries that cannot be read; never a value in a message. */
  diagnostics: Diagnostic[]
}

/**
 * A cheap test, without the yaml library, that is false only for texts `readFormatted` would not
 * recognise: JSON starts with `{`, and the YAML formats name `extraEnv` or `Secret`. Lets a caller
 * skip loading the yaml library for a plain .env file.
 */
export function mightBeFormatted(text: string): boolean {
  return /^\s*\{/.test(text.replace(/^\uFEFF/, '')) || text.includes('extraEnv') || text.includes('Secret')
}

/**
 * Recognises a Helm values file (chart 1.0+ `common.extraEnv`, or chart 0.x `extraEnv`), a
 * Kubernetes Secret manifest (`kind: Secret`, its `data` and `stringData`) or a JSON object from
 * its content, and returns its entries; `undefined` when the text is none of these (a .env file).
 *
 * YAML is read as YAML 1.1, as Helm and kubectl read it, so that an unquoted `yes` or `0777` is
 * seen as the boolean or number they would see, not as text.
 */
export function readFormatted(text: string, yaml: YamlModule): FormattedDocument | undefined {
  const t = text.replace(/^\uFEFF/, '')
  if (/^\s*\{/.test(t)) {
    let parsed: unknown
    let error: unknown
    try {
      parsed = JSON.parse(t)
    } catch (e) {
      error = e
    }
    if (error === undefined) return readJson(t, parsed)
    // Not JSON: it may be a YAML flow mapping.
    const asYaml = readYaml(t, yaml)
    if (asYaml !== undefined) return asYaml
    const diagnostic: Diagnostic = {
      code: 'format-syntax', severity: 'error', message: 'starts with { but is not valid JSON',
    }
    const line = jsonErrorLine(t, error)
    if (line !== undefined) diagnostic.line = line
    return { format: 'json', entries: [], diagnostics: [diagnostic] }
  }
  return readYaml(t, yaml)
}

class Collector {
  readonly entries: FormattedEntry[] = []
  readonly diagnostics: Diagnostic[] = []
  report(code: DiagnosticCode, severity: Diagnostic['severity'], line: number | undefined, key: string | undefined,
    message: string): void {
    this.diagnostics.push(diagnostic(code, severity, line, key, message))
  }
}

// ---------------------------------------------------------------------------------------- YAML

function readYaml(t: string, yaml: YamlModule): FormattedDocument | undefined {
  const lines = new yaml.LineCounter()
  const doc = yaml.parseDocument(t, { lineCounter: lines, version: '1.1', prettyErrors: false })
  const root = doc.contents
  if (!yaml.isMap(root)) return undefined
  const at = (node: Node | null | undefined): number | undefined => lineOf(lines, node?.range?.[0])
  const str = (node: unknown): string | undefined => {
    const n = resolve(yaml, doc, node)
    return yaml.isScalar(n) && typeof n.value === 'string' ? n.value : undefined
  }

  let format: DocumentFormat
  const common = resolve(yaml, doc, root.get('common', true))
  if (str(root.get('kind', true)) === 'Secret' && str(root.get('apiVersion', true)) === 'v1') {
    format = 'k8s-secret'
  } else if (yaml.isMap(common) && common.has('extraEnv')) {
    format = 'helm'
  } else if (root.has('extraEnv')) {
    format = 'helm-legacy'
  } else {
    return undefined
  }

  const out = new Collector()
  for (const error of doc.errors) out.report('format-syntax', 'error', lineOf(lines, error.pos[0]), undefined, yamlError(error))

  if (format === 'k8s-secret') {
    readSecret(yaml, doc, root.get('data', true), root.get('stringData', true), out, at, str)
  } else {
    const list = format === 'helm' && yaml.isMap(common) ? common.get('extraEnv', true) : root.get('extraEnv', true)
    const where = format === 'helm' ? 'common.extraEnv' : 'extraEnv'
    readEnvList(yaml, doc, list, where, out, at, str)
    if (format === 'helm' && root.has('extraEnv')) {
      out.report('format-skipped', 'warning', at(root.get('extraEnv', true) as Node), undefined,
        'the top-level extraEnv is read by chart 0.x only, and chart 1.0 and later read common.extraEnv: ' +
        'its entries are left out')
    }
  }
  return { format, entries: out.entries, diagnostics: out.diagnostics }
}

type At = (node: Node | null | undefined) => number | undefined
type Str = (node: unknown) => string | undefined

/** `extraEnv: [{name, value}]`, as Kubernetes reads a container's `env`. */
function readEnvList(yaml: YamlModule, doc: Document, node: unknown, where: string, out: Collector, at: At, str: Str): void {
  const list = resolve(yaml, doc, node)
  if (list === null || list === undefined || (yaml.isScalar(list) && list.value === null)) return
  if (!yaml.isSeq(list)) {
    out.report('format-invalid', 'error', at(list as Node), undefined, `${where} is not a list of {name, value} items`)
    return
  }
  list.items.forEach((raw, index) => {
    const item = resolve(yaml, doc, raw)
    if (!yaml.isMap(item)) {
      out.report('format-invalid', 'error', at(item as Node), undefined,
        `item ${index + 1} of ${where} is not a {name, value} map`)
      return
    }
    const nameNode = item.get('name', true) as Node | undefined
    const name = str(nameNode)
    const line = at(nameNode) ?? at(item)
    if (name === undefined) {
      out.report('format-invalid', 'error', line, undefined, `item ${index + 1} of ${where} has no name`)
      return
    }
    if (!item.has('value')) {
      if (item.has('valueFrom')) {
        out.report('format-skipped', 'warning', line, name,
          `${name} takes its value from valueFrom, which is read only inside Kubernetes: it is left out`)
        return
      }
      // Kubernetes sets a variable without a value to the empty string.
      out.entries.push({ variable: name, encoded: '', line: line ?? 1 })
      return
    }
    const valueNode = resolve(yaml, doc, item.get('value', true))
    const value = scalarText(yaml, valueNode)
    if (value === undefined) {
      out.report('format-invalid', 'error', at(valueNode as Node) ?? line, name,
        `the value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
      return
    }
    out.entries.push({ variable: name, encoded: value, line: line ?? 1 })
  })
}

/** A Secret's `data` (decoded once, as Kubernetes does) and `stringData` (which wins). */
function readSecret(yaml: YamlModule, doc: Document, dataNode: unknown, stringDataNode: unknown, out: Collector,
  at: At, str: Str): void {
  const read = (node: unknown, field: 'data' | 'stringData'): FormattedEntry[] => {
    const entries: FormattedEntry[] = []
    const map = resolve(yaml, doc, node)
    if (map === null || map === undefined || (yaml.isScalar(map) && map.value === null)) return entries
    if (!yaml.isMap(map)) {
      out.report('format-invalid', 'error', at(map as Node), undefined, `${field} is not a mapping of names to values`)
      return entries
    }
    for (const pair of map.items) {
      const keyNode = pair.key as Node
      const name = str(keyNode)
      const line = at(keyNode) ?? 1
      if (name === undefined) {
        out.report('format-invalid', 'error', line, undefined, `a key of ${field} is not a string`)
        continue
      }
      const valueNode = resolve(yaml, doc, pair.value)
      const value = scalarText(yaml, valueNode)
      if (value === undefined) {
        out.report('format-invalid', 'error', line, name,
          `the ${field} value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
        continue
      }
      if (field === 'stringData') {
        entries.push({ variable: name, encoded: value, line })
        continue
      }
      // Kubernetes decodes data with Go's base64.StdEncoding: padding required, line breaks ignored.
      const compact = value.replace(/[\r\n]/g, '')
      if (!PADDED_BASE64.test(compact)) {
        out.report('format-invalid', 'error', line, name,
          `the data value of ${name} is not base64, which Kubernetes rejects: use stringData for text`)
        continue
      }
      const bytes = Buffer.from(compact, 'base64')
      if (!isUtf8(bytes)) {
        out.report('format-invalid', 'error', line, name,
          `the data value of ${name} does not decode to UTF-8 text, so it cannot be Kestra's base64`)
        continue
      }
      entries.push({ variable: name, encoded: bytes.toString('utf8'), line })
    }
    return entries
  }
  const data = read(dataNode, 'data')
  const stringData = read(stringDataNode, 'stringData')
  // Kubernetes merges stringData over data.
  const overridden = new Set(stringData.map((e) => e.variable))
  out.entries.push(...data.filter((e) => !overridden.has(e.variable)), ...stringData)
}

const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function resolve(yaml: YamlModule, doc: Document, node: unknown): unknown {
  return yaml.isAlias(node) ? node.resolve(doc) : node
}

/** The text of a string scalar; `null` (`value:` or `~`) reads as empty, as Kubernetes reads it. */
function scalarText(yaml: YamlModule, node: unknown): string | undefined {
  if (node === null || node === undefined) return ''
  if (!yaml.isScalar(node)) return undefined
  if (node.value === null) return ''
  return typeof node.value === 'string' ? node.value : undefined
}

function kindOf(yaml: YamlModule, node: unknown): string {
  if (yaml.isMap(node)) return 'a mapping'
  if (yaml.isSeq(node)) return 'a list'
  if (yaml.isScalar(node)) {
    const v = node.value
    if (typeof v === 'boolean') return 'a YAML boolean'
    if (typeof v === 'number' || typeof v === 'bigint') return 'a YAML number'
    return 'a YAML value of another type'
  }
  return 'not a scalar'
}

function lineOf(lines: LineCounter, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined
  return Math.max(1, lines.linePos(offset).line)
}

/** The yaml library's messages quote the source, values included: only the code is used. */
function yamlError(error: YAMLError): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': return 'a key appears twice in one mapping, which YAML does not allow'
    case 'MULTIPLE_DOCS': return 'holds more than one YAML document: give one document per file'
    case 'TAB_AS_INDENT': return 'a tab is used for indentation, which YAML does not allow: use spaces'
    default: return `not valid YAML (${error.code})`
  }
}

// ---------------------------------------------------------------------------------------- JSON

/**
 * The members of a JSON object, in document order with their lines (JSON.parse gives neither
 * lines nor repeated names). The text is valid JSON already: only strings and brackets matter.
 */
function readJson(t: string, parsed: unknown): FormattedDocument {
  const out = new Collector()
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    out.report('format-syntax', 'error', 1, undefined, 'the JSON is not an object of names to values')
    return { format: 'json', entries: [], diagnostics: out.diagnostics }
  }
  let line = 1
  let depth = 0
  let expectKey = false
  let pendingKey: { name: string; line: number } | undefined
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x0a || (c === 0x0d && t.charCodeAt(i + 1) !== 0x0a)) { line++; continue }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x3a) continue
    if (c === 0x7b || c === 0x5b) {
      if (depth === 1 && pendingKey !== undefined) {
        out.report('format-invalid', 'error', pendingKey.line, pendingKey.name,
          `the value of ${pendingKey.name} is not a string: write the base64 text in quotes`)
        pendingKey = undefined
      }
      depth++
      expectKey = depth === 1
      continue
    }
    if (c === 0x7d || c === 0x5d) { depth--; continue }
    if (c === 0x2c) { expectKey = depth === 1; continue }
    if (c === 0x22) {
      let end = i + 1
      while (t.charCodeAt(end) !== 0x22) end += t.charCodeAt(end) === 0x5c ? 2 : 1
      const token = JSON.parse(t.slice(i, end + 1)) as string
      if (depth === 1 && expectKey) {
        pendingKey = { name: token, line }
        expectKey = false
      } else if (depth === 1 && pendingKey !== undefined) {
        out.entries.push({ variable: pendingKey.name, encoded: token, line: pendingKey.line })
        pendingKey = undefined
      }
      i = end
      continue
    }
    if (depth === 1 && pendingKey !== undefined) {
      // A number, true, false or null.
      out.report('format-invalid', 'error', pendingKey.line, pendingKey.name,
        `the value of ${pendingKey.name} is not a string: write the base64 text in quotes`)
      pendingKey = undefined
    }
  }
  return { format: 'json', entries: out.entries, diagnostics: out.diagnostics }
}

/** The line of a JSON.parse error, from the position its message gives (when it gives one). */
function jsonErrorLine(t: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : ''
  const m = /position (\d+)/.exec(message)
  if (m === null) return undefined
  const offset = Math.min(Number(m[1]), t.length)
  let line = 1
  for (let i = 0; i < offset; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x0a || (c === 0x0d && t.charCodeAt(i + 1) !== 0x0a)) line++
  }
  return line
}
