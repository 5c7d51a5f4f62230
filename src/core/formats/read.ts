import { isUtf8 } from 'node:buffer'
import type { Document, LineCounter, Node, YAMLError, YAMLMap } from 'yaml'
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js'
import type { EncodedVariable } from '../kestra.js'
import { diagnostic } from '../diagnostics.js'
import type { YamlModule } from './yaml.js'

/** The formats `readFormatted` recognises (the env format is read by the .env scanner). */
export type DocumentFormat = 'helm' | 'helm-legacy' | 'k8s-secret' | 'json'

/** How messages name each format's kind of file, and the place of its entries. */
export const DOCUMENT_WORDS: Readonly<Record<DocumentFormat, { file: string; entries: string }>> = {
  'helm': { file: 'a values file', entries: 'common.extraEnv' },
  'helm-legacy': { file: 'a values file', entries: 'extraEnv' },
  'k8s-secret': { file: 'a Secret', entries: 'the data or stringData of the Secret' },
  'json': { file: 'a JSON file', entries: 'the JSON object' },
}

/** One variable as the document hands it to Kestra. */
export interface FormattedEntry extends EncodedVariable {
  /** The variable's name, e.g. `SECRET_DB_PASSWORD`. */
  variable: string
  /**
   * The text Kestra receives for it, i.e. our base64: the value of a Helm `extraEnv` item or of a
   * JSON member, a Secret's `stringData` value, or a Secret's `data` value decoded once.
   */
  encoded: string
  /** 1-based line of the entry's name in the document. */
  line: number
  /**
   * The YAML comments just before the entry, in the yaml library's form (each line the text after
   * `#`, an empty line for a blank line, a single space for a bare `#`).
   */
  commentBefore?: string
  /** A blank line came before the entry (or before its comments). */
  spaceBefore?: boolean
  /** The YAML comments on the entry's lines or just after it, in the same form. */
  comment?: string
}

export interface FormattedDocument {
  format: DocumentFormat
  /** In document order; duplicates are kept (the caller's checks report them). */
  entries: FormattedEntry[]
  /** Syntax errors and entries that cannot be read; never a value in a message. */
  diagnostics: Diagnostic[]
  /** The YAML comments at the top of the document, in the form of `FormattedEntry.commentBefore`. */
  commentBefore?: string
  /** The YAML comments after the last entry. */
  comment?: string
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
 * its content, and returns its entries (with `comments`, the YAML comments around them too);
 * `undefined` when the text is none of these (a .env file).
 *
 * YAML is read as YAML 1.1, as Helm and kubectl read it, so that an unquoted `yes` or `0777` is
 * seen as the boolean or number they would see, not as text. Without `yaml` (the loaded `yaml`
 * package), only JSON is recognised.
 */
export function readFormatted(text: string, yaml?: YamlModule, options: ReadOptions = {}): FormattedDocument | undefined {
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
    const asYaml = yaml === undefined ? undefined : readYaml(t, yaml, options.comments === true)
    if (asYaml !== undefined) return asYaml
    const diagnostic: Diagnostic = {
      code: 'format-syntax', severity: 'error', message: 'starts with { but is not valid JSON',
    }
    const line = jsonErrorLine(t)
    if (line !== undefined) diagnostic.line = line
    return { format: 'json', entries: [], diagnostics: [diagnostic] }
  }
  return yaml === undefined ? undefined : readYaml(t, yaml, options.comments === true)
}

export interface ReadOptions {
  /**
   * Give the YAML comments around the entries (`commentBefore`, `spaceBefore` and `comment` of
   * the entries and of the document), for writing them elsewhere.
   */
  comments?: boolean
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

function readYaml(t: string, yaml: YamlModule, withComments: boolean): FormattedDocument | undefined {
  const lines = new yaml.LineCounter()
  // The library's own check of repeated keys compares each key with all the others before it
  // (quadratic on a Secret with many keys, or a long .env of `KEY: value` lines): it is done below.
  const doc = yaml.parseDocument(t, { lineCounter: lines, version: '1.1', prettyErrors: false, uniqueKeys: false })
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
  for (const key of repeatedKeys(yaml, doc)) {
    out.report('format-syntax', 'error', at(key), undefined, 'a key appears twice in one mapping, which YAML does not allow')
  }
  const ctx: Context = { yaml, doc, out, at, str }

  // The document's own comments: above its first key (unless that key leads to the entries, whose
  // comments they then are) and after everything.
  const holders = new Set(format === 'k8s-secret' ? ['data', 'stringData'] : ['common', 'extraEnv'])
  const firstKey = root.items[0]?.key
  const header = joinComments(doc.commentBefore, root.commentBefore,
    yaml.isScalar(firstKey) && !holders.has(String(firstKey.value)) ? firstKey.commentBefore : undefined)
  let trailer: string | undefined
  if (format === 'k8s-secret') {
    trailer = readSecret(ctx, root)
  } else {
    const where = format === 'helm' ? 'common.extraEnv' : 'extraEnv'
    const leading = format === 'helm' && yaml.isMap(common)
      ? joinComments(keyOf(yaml, root, 'common')?.commentBefore, common.commentBefore, keyOf(yaml, common, 'extraEnv')?.commentBefore)
      : joinComments(keyOf(yaml, root, 'extraEnv')?.commentBefore)
    const list = format === 'helm' && yaml.isMap(common) ? common.get('extraEnv', true) : root.get('extraEnv', true)
    trailer = readEnvList(ctx, list, where, leading)
    if (format === 'helm' && root.has('extraEnv')) {
      out.report('format-skipped', 'warning', at(root.get('extraEnv', true) as Node), undefined,
        'the top-level extraEnv is read by chart 0.x only, and chart 1.0 and later read common.extraEnv: ' +
        'its entries are left out')
    }
  }
  const document: FormattedDocument = { format, entries: out.entries, diagnostics: out.diagnostics }
  if (!withComments) {
    for (const e of document.entries) {
      delete e.commentBefore
      delete e.spaceBefore
      delete e.comment
    }
    return document
  }
  if (header !== undefined) document.commentBefore = header
  const closing = joinComments(trailer, root.comment, doc.comment)
  if (closing !== undefined) document.comment = closing
  return document
}

interface Context {
  yaml: YamlModule
  doc: Document
  out: Collector
  /** The line of a node. */
  at: (node: Node | null | undefined) => number | undefined
  /** The text of a string scalar (aliases resolved). */
  str: (node: unknown) => string | undefined
}

/**
 * The comments of a collection's entries, attached to them as they are read: those of an entry
 * that is left out go to the next one, and what is left after the last one is returned.
 */
class Comments {
  private carried: string | undefined
  private space = false
  constructor(leading: string | null | undefined) {
    this.carried = joinComments(leading)
  }
  /** Adds an entry with its comments (`before`, `after`) and the comments carried to it. */
  push(out: Collector, entry: FormattedEntry, before: string | null | undefined, spaceBefore: boolean | undefined,
    after: string | undefined): void {
    const commentBefore = joinComments(this.carried, before)
    if (commentBefore !== undefined) entry.commentBefore = commentBefore
    if (this.space || spaceBefore === true) entry.spaceBefore = true
    if (after !== undefined) entry.comment = after
    this.carried = undefined
    this.space = false
    out.entries.push(entry)
  }
  /** Keeps the comments (and the blank line before them) of an entry that is left out for the next one. */
  carry(spaceBefore: boolean | undefined, ...blocks: (string | null | undefined)[]): void {
    if (spaceBefore === true && this.carried === undefined) this.space = true
    this.carried = joinComments(this.carried, ...blocks)
  }
  rest(): string | undefined {
    return this.carried
  }
}

/** `extraEnv: [{name, value}]`, as Kubernetes reads a container's `env`. Returns the trailing comments. */
function readEnvList(ctx: Context, node: unknown, where: string, leading: string | undefined): string | undefined {
  const { yaml, doc, out, at, str } = ctx
  const comments = new Comments(leading)
  const list = resolve(yaml, doc, node)
  if (list === null || list === undefined || (yaml.isScalar(list) && list.value === null)) return comments.rest()
  if (!yaml.isSeq(list)) {
    out.report('format-invalid', 'error', at(list as Node), undefined, `${where} is not a list of {name, value} items`)
    return comments.rest()
  }
  comments.carry(false, list.commentBefore)
  list.items.forEach((raw, index) => {
    const item = resolve(yaml, doc, raw)
    const before = (raw as Node | null)?.commentBefore
    const after = joinComments(innerComments(yaml, item), (raw as Node | null)?.comment)
    const push = (entry: FormattedEntry): void => comments.push(out, entry, before, (raw as Node | null)?.spaceBefore, after)
    const skip = (): void => comments.carry((raw as Node | null)?.spaceBefore, before, after)
    if (!yaml.isMap(item)) {
      out.report('format-invalid', 'error', at(item as Node), undefined,
        `item ${index + 1} of ${where} is not a {name, value} map`)
      return skip()
    }
    const nameNode = item.get('name', true) as Node | undefined
    const name = str(nameNode)
    const line = at(nameNode) ?? at(item)
    if (name === undefined) {
      out.report('format-invalid', 'error', line, undefined, `item ${index + 1} of ${where} has no name`)
      return skip()
    }
    if (!item.has('value')) {
      if (item.has('valueFrom')) {
        out.report('format-skipped', 'warning', line, name,
          `${name} takes its value from valueFrom, which is read only inside Kubernetes: it is left out`)
        return skip()
      }
      // Kubernetes sets a variable without a value to the empty string.
      return push({ variable: name, encoded: '', line: line ?? 1 })
    }
    const valueNode = resolve(yaml, doc, item.get('value', true))
    const value = scalarText(yaml, valueNode)
    if (value === undefined) {
      out.report('format-invalid', 'error', at(valueNode as Node) ?? line, name,
        `the value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
      return skip()
    }
    return push({ variable: name, encoded: value, line: line ?? 1 })
  })
  return joinComments(comments.rest(), list.comment)
}

/**
 * A Secret's `data` (decoded once, as Kubernetes does) and `stringData` (which wins), in document
 * order. Returns the trailing comments.
 */
function readSecret(ctx: Context, root: YAMLMap): string | undefined {
  const { yaml, doc, at, str } = ctx
  const read = (field: 'data' | 'stringData'): { out: Collector; rest: string | undefined } => {
    // Read apart, then merged: stringData's entries replace data's.
    const out = new Collector()
    const comments = new Comments(keyOf(yaml, root, field)?.commentBefore)
    const map = resolve(yaml, doc, root.get(field, true))
    if (map === null || map === undefined || (yaml.isScalar(map) && map.value === null)) return { out, rest: comments.rest() }
    if (!yaml.isMap(map)) {
      out.report('format-invalid', 'error', at(map as Node), undefined, `${field} is not a mapping of names to values`)
      return { out, rest: comments.rest() }
    }
    comments.carry(false, map.commentBefore)
    for (const pair of map.items) {
      const keyNode = pair.key as Node
      const before = keyNode?.commentBefore
      const after = joinComments(keyNode?.comment, (pair.value as Node | null)?.commentBefore, (pair.value as Node | null)?.comment)
      const name = str(keyNode)
      const line = at(keyNode) ?? 1
      const push = (variable: string, encoded: string): void =>
        comments.push(out, { variable, encoded, line, field }, before, keyNode?.spaceBefore, after)
      if (name === undefined) {
        out.report('format-invalid', 'error', line, undefined, `a key of ${field} is not a string`)
        comments.carry(keyNode?.spaceBefore, before, after)
        continue
      }
      const valueNode = resolve(yaml, doc, pair.value)
      const value = scalarText(yaml, valueNode)
      if (value === undefined) {
        out.report('format-invalid', 'error', line, name,
          `the ${field} value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
        comments.carry(keyNode?.spaceBefore, before, after)
        continue
      }
      if (field === 'stringData') {
        push(name, value)
        continue
      }
      // Kubernetes decodes data with Go's base64.StdEncoding: padding required, line breaks ignored.
      const compact = value.replace(/[\r\n]/g, '')
      if (!PADDED_BASE64.test(compact)) {
        out.report('format-invalid', 'error', line, name,
          `the data value of ${name} is not base64, which Kubernetes rejects: use stringData for text`)
        comments.carry(keyNode?.spaceBefore, before, after)
        continue
      }
      const bytes = Buffer.from(compact, 'base64')
      if (!isUtf8(bytes)) {
        out.report('format-invalid', 'error', line, name,
          `the data value of ${name} does not decode to UTF-8 text, so it cannot be Kestra's base64`)
        comments.carry(keyNode?.spaceBefore, before, after)
        continue
      }
      push(name, bytes.toString('utf8'))
    }
    return { out, rest: joinComments(comments.rest(), map.comment) }
  }
  const data = read('data')
  const stringData = read('stringData')
  ctx.out.diagnostics.push(...data.out.diagnostics, ...stringData.out.diagnostics)
  // Kubernetes merges stringData over data.
  const overridden = new Set(stringData.out.entries.map((e) => e.variable))
  const entries = [...data.out.entries.filter((e) => !overridden.has(e.variable)), ...stringData.out.entries]
  ctx.out.entries.push(...entries.sort((a, b) => a.line - b.line))
  // The comments after the first field's last entry stay with it; the last field's end the document.
  const [first, last] = (root.get('data', true) !== undefined && root.get('stringData', true) !== undefined &&
    (at(root.get('stringData', true) as Node) ?? 0) < (at(root.get('data', true) as Node) ?? 0))
    ? [stringData, data] : [data, stringData]
  const lastOfFirst = first.out.entries.filter((e) => ctx.out.entries.includes(e)).at(-1)
  if (lastOfFirst !== undefined && first.rest !== undefined && last.out.entries.length > 0) {
    lastOfFirst.comment = joinComments(lastOfFirst.comment, first.rest)
    return last.rest
  }
  return joinComments(first.rest, last.rest)
}

/** The comments inside an `{name, value}` item, on its keys and values. */
function innerComments(yaml: YamlModule, item: unknown): string | undefined {
  if (!yaml.isMap(item)) return yaml.isScalar(item) ? item.comment ?? undefined : undefined
  const blocks: (string | null | undefined)[] = []
  item.items.forEach((pair, i) => {
    const key = pair.key as Node | null
    const value = pair.value as Node | null
    // The first key's comment before is the item's (the yaml library puts it on the item).
    if (i > 0) blocks.push(key?.commentBefore)
    blocks.push(key?.comment, value?.commentBefore, yaml.isScalar(value) ? value.comment : undefined)
  })
  return joinComments(...blocks)
}

/** The keys that repeat a scalar key of the same mapping, in one pass over the document. */
function repeatedKeys(yaml: YamlModule, doc: Document): Node[] {
  const repeated: Node[] = []
  yaml.visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        const key = pair.key
        if (!yaml.isScalar(key) || key.value === '<<') continue
        // As the library compares keys: by value, so that 1 and '1' differ.
        const id = typeof key.value === 'string' ? `s${key.value}` : key.value
        if (seen.has(id)) repeated.push(key)
        else seen.add(id)
      }
    },
  })
  return repeated
}

/** Comment blocks in the yaml library's form, joined; undefined when there is none. */
function joinComments(...blocks: (string | null | undefined)[]): string | undefined {
  const present = blocks.filter((b): b is string => typeof b === 'string' && b !== '')
  return present.length === 0 ? undefined : present.join('\n')
}

/** The key node of `name` in a map. */
function keyOf(yaml: YamlModule, map: unknown, name: string): Node | undefined {
  if (!yaml.isMap(map)) return undefined
  const pair = map.items.find((p) => yaml.isScalar(p.key) && p.key.value === name)
  return pair?.key as Node | undefined
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

/**
 * The line of a JSON syntax error. JSON.parse gives a position for some errors only (and its
 * message quotes the source), so the text is walked by JSON's grammar up to the first error.
 */
function jsonErrorLine(t: string): number | undefined {
  let offset: number
  try {
    offset = jsonErrorOffset(t)
  } catch {
    // Nesting too deep for the stack: no line.
    return undefined
  }
  let line = 1
  for (let i = 0; i < offset && i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x0a || (c === 0x0d && t.charCodeAt(i + 1) !== 0x0a)) line++
  }
  return line
}

const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/** The offset of the first character where `t` stops being JSON (t.length when it ends early). */
function jsonErrorOffset(t: string): number {
  let i = 0
  const failure = new Error('not JSON')
  const space = (): void => {
    while (i < t.length && (t[i] === ' ' || t[i] === '\t' || t[i] === '\n' || t[i] === '\r')) i++
  }
  const string = (): void => {
    i++
    while (i < t.length) {
      const c = t.charCodeAt(i)
      if (c === 0x22) { i++; return }
      if (c < 0x20) throw failure
      if (c === 0x5c) {
        JSON_ESCAPE.lastIndex = i
        if (!JSON_ESCAPE.test(t)) throw failure
        i = JSON_ESCAPE.lastIndex
        continue
      }
      i++
    }
    throw failure
  }
  const items = (close: string, item: () => void): void => {
    i++
    space()
    if (t[i] === close) { i++; return }
    for (;;) {
      item()
      space()
      if (t[i] === ',') { i++; continue }
      if (t[i] === close) { i++; return }
      throw failure
    }
  }
  const value = (): void => {
    space()
    if (t[i] === '{') {
      return items('}', () => {
        space()
        if (t[i] !== '"') throw failure
        string()
        space()
        if (t[i] !== ':') throw failure
        i++
        value()
      })
    }
    if (t[i] === '[') return items(']', value)
    if (t[i] === '"') return string()
    JSON_LITERAL.lastIndex = i
    if (!JSON_LITERAL.test(t)) throw failure
    i = JSON_LITERAL.lastIndex
  }
  try {
    value()
    space()
    return i
  } catch (e) {
    if (e !== failure) throw e
    return i
  }
}
