import { isUtf8 } from 'node:buffer'
import type { LineCounter, Node, Pair, YAMLError, YAMLMap } from 'yaml'
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js'
import type { EncodedVariable } from '../kestra.js'
import { diagnostic } from '../diagnostics.js'
import type { YamlModule } from './yaml.js'
import { YamlNodes } from './yaml-nodes.js'

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
 * YAML is read as Helm and kubectl read it: as YAML 1.1, so that an unquoted `yes` or `0777` is
 * the boolean or number they would see, not text, and with `<<` merge keys. Without `yaml` (the
 * loaded `yaml` package), only JSON is recognised.
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
  // Repeated keys are found by YamlNodes, in one pass (see there why not by the library).
  const doc = yaml.parseDocument(t, {
    lineCounter: lines, version: '1.1', merge: true, prettyErrors: false, uniqueKeys: false,
  })
  const root = doc.contents
  if (!yaml.isMap(root)) return undefined
  const nodes = new YamlNodes(yaml, doc)
  const at = (node: unknown): number | undefined => lineOf(lines, (node as Node | null | undefined)?.range?.[0])
  const str = (node: unknown): string | undefined => {
    const n = nodes.resolve(node)
    return yaml.isScalar(n) && typeof n.value === 'string' ? n.value : undefined
  }
  let format: DocumentFormat
  if (str(nodes.get(root, 'kind')) === 'Secret' && str(nodes.get(root, 'apiVersion')) === 'v1') {
    format = 'k8s-secret'
  } else if (nodes.has(nodes.get(root, 'common'), 'extraEnv')) {
    format = 'helm'
  } else if (nodes.has(root, 'extraEnv')) {
    format = 'helm-legacy'
  } else {
    return undefined
  }

  const out = new Collector()
  for (const error of doc.errors) out.report('format-syntax', 'error', lineOf(lines, error.pos[0]), undefined, yamlError(error))
  for (const key of nodes.repeatedKeys) {
    out.report('format-syntax', 'error', at(key), undefined, 'a key appears twice in one mapping, which YAML does not allow')
  }
  for (const problem of nodes.problems) out.report('format-syntax', 'error', at(problem.node), undefined, problem.message)
  const ctx: Context = { yaml, nodes, out, at, str, comments: new Comments(), taken: new Set() }
  if (format === 'k8s-secret') readSecret(ctx, root)
  else readHelm(ctx, root, format)

  const document: FormattedDocument = { format, entries: out.entries, diagnostics: out.diagnostics }
  if (!withComments) {
    for (const e of document.entries) {
      delete e.commentBefore
      delete e.spaceBefore
      delete e.comment
    }
    return document
  }
  // The document's own comments: above its first key (unless they went to the entries, as the
  // comments of a key that leads to them) and after everything.
  const firstKey = root.items[0]?.key
  const header = joinComments(doc.commentBefore, root.commentBefore,
    yaml.isScalar(firstKey) && !ctx.taken.has(firstKey) ? firstKey.commentBefore : undefined)
  if (header !== undefined) document.commentBefore = header
  const closing = joinComments(ctx.comments.rest(), root.comment, doc.comment)
  if (closing !== undefined) document.comment = closing
  return document
}

interface Context {
  yaml: YamlModule
  nodes: YamlNodes
  out: Collector
  /** The line of a node. */
  at: (node: unknown) => number | undefined
  /** The text of a string scalar (aliases resolved). */
  str: (node: unknown) => string | undefined
  /** The comments on their way to the next entry, through every list of the document in order. */
  comments: Comments
  /** Nodes whose comments went to an entry already. */
  taken: Set<Node>
}

/**
 * The comments of a document's entries, attached to them as they are read: those of an entry
 * that is left out go to the next one; those after the last entry of a list stay with that entry
 * when another entry follows, and end the document otherwise. Blocks are kept in arrays and joined
 * once, so that a long run of left-out entries costs no more than its text.
 */
class Comments {
  private carried: string[] = []
  private space = false
  /** The last entry of the list that ended last, and the comments after it. */
  private closed: FormattedEntry | undefined
  private tail: string[] = []
  /** The last entry of the current list. */
  private latest: FormattedEntry | undefined

  /** Adds an entry with its comments (`before`, `after`) and the comments carried to it. */
  push(out: Collector, entry: FormattedEntry, before: string | null | undefined, spaceBefore: boolean | undefined,
    after: string | undefined): void {
    if (this.closed !== undefined && this.tail.length > 0) {
      const comment = joinComments(this.closed.comment, joinAll(this.tail))
      if (comment !== undefined) this.closed.comment = comment
    }
    this.closed = undefined
    this.tail = []
    addBlock(this.carried, before)
    const commentBefore = joinAll(this.carried)
    if (commentBefore !== undefined) entry.commentBefore = commentBefore
    if (this.space || spaceBefore === true) entry.spaceBefore = true
    if (after !== undefined) entry.comment = after
    this.carried = []
    this.space = false
    this.latest = entry
    out.entries.push(entry)
  }

  /** Keeps the comments (and the blank line before them) of what is left out for the next entry. */
  carry(spaceBefore: boolean | undefined, ...blocks: (string | null | undefined)[]): void {
    if (spaceBefore === true && this.carried.length === 0) this.space = true
    for (const block of blocks) addBlock(this.carried, block)
  }

  /** Ends a list: what is carried now follows its last entry. */
  endList(): void {
    if (this.latest === undefined) return
    this.closed = this.latest
    this.latest = undefined
    this.tail = this.carried
    this.carried = []
    this.space = false
  }

  /** The comments after the last entry. */
  rest(): string | undefined {
    return joinComments(joinAll(this.tail), joinAll(this.carried))
  }
}

// ------------------------------------------------------------------------------------ Helm values

/** The list of a values file, with the pairs that lead to it from the root (for their comments). */
interface ListRef {
  list: string
  node: unknown
  path: Pair[]
}

/** `common.extraEnv` (chart 1.0 and later) or the top-level `extraEnv` (chart 0.x). */
function readHelm(ctx: Context, root: YAMLMap, format: 'helm' | 'helm-legacy'): void {
  const { yaml, nodes } = ctx
  const common = nodes.pair(root, 'common')
  const holder = format === 'helm' ? nodes.resolve(common?.value) : root
  const pair = yaml.isMap(holder) ? nodes.pair(holder, 'extraEnv') : undefined
  if (pair !== undefined) {
    const path = format === 'helm' && common !== undefined ? [common, pair] : [pair]
    readEnvList(ctx, { list: format === 'helm' ? 'common.extraEnv' : 'extraEnv', node: nodes.resolve(pair.value), path })
  }
  const legacy = format === 'helm' ? nodes.pair(root, 'extraEnv') : undefined
  if (legacy !== undefined) {
    ctx.out.report('format-skipped', 'warning', ctx.at(legacy.key), undefined,
      'the top-level extraEnv is read by chart 0.x only, and chart 1.0 and later read common.extraEnv: ' +
      'its entries are left out')
  }
}

/** The comments of the keys that lead to a list (each taken once), for its first entry. */
function leadingComments(ctx: Context, path: readonly Pair[]): (string | null | undefined)[] {
  const { yaml, taken } = ctx
  const blocks: (string | null | undefined)[] = []
  const take = (node: unknown): void => {
    if (!yaml.isNode(node) || taken.has(node)) return
    taken.add(node)
    blocks.push(node.commentBefore)
  }
  path.forEach((pair, i) => {
    take(pair.key)
    // The mapping a key leads to; the list's own comments are read with it.
    if (i < path.length - 1 && yaml.isMap(pair.value)) take(pair.value)
  })
  return blocks
}

/** `extraEnv: [{name, value}]`, as Kubernetes reads a container's `env`. */
function readEnvList(ctx: Context, ref: ListRef): void {
  const { yaml, out, at, comments } = ctx
  comments.carry(false, ...leadingComments(ctx, ref.path))
  const list = ref.node
  if (list === null || list === undefined || (yaml.isScalar(list) && list.value === null)) return
  if (!yaml.isSeq(list)) {
    out.report('format-invalid', 'error', at(list), undefined, `${ref.list} is not a list of {name, value} items`)
    return
  }
  comments.carry(false, list.commentBefore)
  list.items.forEach((raw, index) => readEnvItem(ctx, ref.list, raw, index))
  comments.carry(false, list.comment)
}

/** One `{name, value}` item of an `extraEnv` list. */
function readEnvItem(ctx: Context, where: string, raw: unknown, index: number): void {
  const { yaml, nodes, out, at, str, comments } = ctx
  const item = nodes.resolve(raw)
  const node = raw as Node | null
  const before = node?.commentBefore
  const after = joinComments(innerComments(yaml, item), node?.comment)
  const skip = (): void => comments.carry(node?.spaceBefore, before, after)
  const n = index + 1
  if (!yaml.isMap(item)) {
    out.report('format-invalid', 'error', at(item), undefined, `item ${n} of ${where} is not a {name, value} map`)
    return skip()
  }
  const nameNode = nodes.get(item, 'name')
  const name = str(nameNode)
  // The line of its name, or of the item when the name comes from a merged map.
  const line = (within(nameNode, item) ? at(nameNode) : undefined) ?? at(item) ?? 1
  if (name === undefined) {
    out.report('format-invalid', 'error', line, undefined, `item ${n} of ${where} has no name`)
    return skip()
  }
  const push = (encoded: string): void => comments.push(out, { variable: name, encoded, line }, before, node?.spaceBefore, after)
  if (!nodes.has(item, 'value')) {
    if (nodes.has(item, 'valueFrom')) {
      out.report('format-skipped', 'warning', line, name,
        `${name} takes its value from valueFrom, which is read only inside Kubernetes: it is left out`)
      return skip()
    }
    // Kubernetes sets a variable without a value to the empty string.
    return push('')
  }
  const valueNode = nodes.get(item, 'value')
  const value = scalarText(yaml, valueNode)
  if (value === undefined) {
    out.report('format-invalid', 'error', (within(valueNode, item) ? at(valueNode) : undefined) ?? line, name,
      `the value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
    return skip()
  }
  return push(value)
}

// ---------------------------------------------------------------------------------- Secret manifest

/**
 * A Secret's `data` (decoded once, as Kubernetes does) and `stringData` (which wins), in document
 * order. A `data` entry that `stringData` replaces is still checked (the API server decodes `data`
 * before it merges), but left out.
 */
function readSecret(ctx: Context, root: YAMLMap): void {
  const { yaml, nodes, str } = ctx
  const fields = (['data', 'stringData'] as const)
    .map((field) => ({ field, pair: nodes.pair(root, field) }))
    .filter((f): f is { field: 'data' | 'stringData'; pair: Pair } => f.pair !== undefined)
    .sort((a, b) => ((a.pair.key as Node | null)?.range?.[0] ?? 0) - ((b.pair.key as Node | null)?.range?.[0] ?? 0))
  const replaced = new Set<string>()
  const stringData = nodes.get(root, 'stringData')
  if (yaml.isMap(stringData)) {
    for (const { pair } of nodes.pairs(stringData)) {
      const name = str(pair.key)
      if (name !== undefined) replaced.add(name)
    }
  }
  for (const { field, pair } of fields) {
    readSecretField(ctx, field, pair, field === 'data' ? replaced : undefined)
    ctx.comments.endList()
  }
}

/** One field of a Secret; `replaced`: the names that stringData sets, for data. */
function readSecretField(ctx: Context, field: 'data' | 'stringData', fieldPair: Pair, replaced: ReadonlySet<string> | undefined): void {
  const { yaml, nodes, out, at, str, comments } = ctx
  comments.carry(false, ...leadingComments(ctx, [fieldPair]))
  const map = nodes.resolve(fieldPair.value)
  if (map === null || map === undefined || (yaml.isScalar(map) && map.value === null)) return
  if (!yaml.isMap(map)) {
    out.report('format-invalid', 'error', at(map), undefined, `${field} is not a mapping of names to values`)
    return
  }
  comments.carry(false, map.commentBefore)
  for (const { pair, merged } of nodes.pairs(map)) {
    const keyNode = pair.key as Node | null
    // A merged pair's comments are those of its anchor's place, not of this one.
    const before = merged ? undefined : keyNode?.commentBefore
    const spaceBefore = merged ? undefined : keyNode?.spaceBefore
    const after = merged ? undefined
      : joinComments(keyNode?.comment, (pair.value as Node | null)?.commentBefore, (pair.value as Node | null)?.comment)
    const skip = (): void => comments.carry(spaceBefore, before, after)
    const name = str(keyNode)
    const line = at(keyNode) ?? 1
    if (name === undefined) {
      out.report('format-invalid', 'error', line, undefined, `a key of ${field} is not a string`)
      skip()
      continue
    }
    const encoded = secretValue(ctx, field, name, line, nodes.resolve(pair.value))
    if (encoded === undefined || replaced?.has(name) === true) {
      skip()
      continue
    }
    comments.push(out, { variable: name, encoded, line, field }, before, spaceBefore, after)
  }
  comments.carry(false, map.comment)
}

/** The text Kestra receives for a Secret's value, or undefined after an error. */
function secretValue(ctx: Context, field: 'data' | 'stringData', name: string, line: number, valueNode: unknown): string | undefined {
  const { yaml, out } = ctx
  const value = scalarText(yaml, valueNode)
  if (value === undefined) {
    out.report('format-invalid', 'error', line, name,
      `the ${field} value of ${name} is not a string (${kindOf(yaml, valueNode)}), which Kubernetes rejects: quote it`)
    return undefined
  }
  if (field === 'stringData') return value
  // Kubernetes decodes data with Go's base64.StdEncoding: padding required, line breaks ignored.
  const compact = value.replace(/[\r\n]/g, '')
  if (!PADDED_BASE64.test(compact)) {
    out.report('format-invalid', 'error', line, name,
      `the data value of ${name} is not base64, which Kubernetes rejects: use stringData for text`)
    return undefined
  }
  const bytes = Buffer.from(compact, 'base64')
  if (!isUtf8(bytes)) {
    out.report('format-invalid', 'error', line, name,
      `the data value of ${name} does not decode to UTF-8 text, so it cannot be Kestra's base64`)
    return undefined
  }
  return bytes.toString('utf8')
}

// ---------------------------------------------------------------------------------- YAML helpers

/** The comments inside an `{name, value}` item, on its keys and values. */
function innerComments(yaml: YamlModule, item: unknown): string | undefined {
  if (!yaml.isMap(item)) return yaml.isScalar(item) ? item.comment ?? undefined : undefined
  const blocks: string[] = []
  item.items.forEach((pair, i) => {
    const key = pair.key as Node | null
    const value = pair.value as Node | null
    // The first key's comment before is the item's (the yaml library puts it on the item).
    if (i > 0) addBlock(blocks, key?.commentBefore)
    addBlock(blocks, key?.comment)
    addBlock(blocks, value?.commentBefore)
    if (yaml.isScalar(value)) addBlock(blocks, value.comment)
  })
  return joinAll(blocks)
}

/** Adds a comment block in the yaml library's form to a list, if there is one. */
function addBlock(blocks: string[], block: string | null | undefined): void {
  if (typeof block === 'string' && block !== '') blocks.push(block)
}

/** Comment blocks joined; undefined when there is none. */
function joinAll(blocks: readonly string[]): string | undefined {
  return blocks.length === 0 ? undefined : blocks.join('\n')
}

/** A few comment blocks (a bounded number: see joinAll for a list), joined. */
function joinComments(...blocks: (string | null | undefined)[]): string | undefined {
  const present: string[] = []
  for (const block of blocks) addBlock(present, block)
  return joinAll(present)
}

/** Whether a node is written inside a collection (and not, say, in a map merged into it). */
function within(node: unknown, container: Node): boolean {
  const start = (node as Node | null | undefined)?.range?.[0]
  const range = container.range
  return start !== undefined && range !== undefined && range !== null && range[0] <= start && start < range[2]
}

const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

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
