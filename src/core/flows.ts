/**
 * The secrets Kestra flows use, and whether a set of defined secrets satisfies them.
 *
 * Kestra reads a flow as YAML and renders some of its string values with Pebble: `secret('NAME')`
 * only does anything inside a Pebble expression (`{{ ... }}` or `{% ... %}`) of a string value.
 * So a flow is read as YAML and each string value is scanned, never a comment (a commented-out
 * task must not fail a check) and never a key. Without the `yaml` package, the raw text is scanned
 * instead, comments included, and YAML's own quote escapes are understood there:
 * `"{{ secret(\"NAME\") }}"` and `'{{ secret(''NAME'') }}'`.
 */
import type { Document } from 'yaml'
import { finding, type CheckFile, type DiagnosticCode, type Finding, type Severity } from './diagnostics.js'
import { MAX_YAML_DEPTH, parseYaml, type YamlModule } from './formats/yaml.js'
import { SECRET_PREFIX } from './kestra.js'
import { lineIndex } from './lines.js'
import { displayName } from './names.js'

/** One `secret('NAME', ...)` call with a literal name. */
export interface SecretReference {
  /** The name as written (Kestra upper-cases it to look it up). */
  name: string
  /** 1-based line of the call. */
  line: number
  /** The `subkey` argument, when it is a literal that is not empty (Kestra ignores an empty one). */
  subkey?: string
  /** Set when the `subkey` argument is computed at run time. */
  dynamicSubkey?: true
  /** Set when the call passes a `namespace` (which the environment secret backend ignores). */
  namespace?: true
}

export interface FlowSecrets {
  references: SecretReference[]
  /** Lines of `secret(...)` calls whose name is computed, which no scan can check. */
  dynamic: number[]
  /**
   * Read as YAML only: the first place the file could not be read, and why (a sentence that
   * quotes nothing of the file). Nothing is found in a document that cannot be read; the other
   * documents of the file are still scanned.
   */
  unreadable?: { line: number; message: string }
}

/** A secret the flows may use, from whatever defines it (an encoded file, a Helm values file). */
export interface DefinedSecret {
  /** The name flows use, upper-cased as Kestra does (`DB_PASSWORD`). */
  name: string
  /** The variable that defines it (`SECRET_DB_PASSWORD`). */
  variable: string
  /** The file and 1-based line that define it. */
  file: string
  line: number
  /** The decoded text, when the check decoded it (not for a Helm `valueFrom`, nor an undecodable value). */
  value?: string
}

/**
 * Every `secret(...)` call of a flow file, in order. With the `yaml` package, the text is read as
 * YAML and only string values are scanned; without it, the whole text is (comments included).
 */
export function findSecretReferences(text: string, yaml?: YamlModule): FlowSecrets {
  const found: FlowSecrets = { references: [], dynamic: [] }
  if (yaml === undefined) {
    if (!text.includes('secret')) return found
    const lines = lineIndex(text)
    for (const call of findCalls(text, RAW_TEXT)) addCall(found, call, lines.lineAt(call.at))
    return found
  }
  const read = readStrings(text, yaml)
  let lines: { lineAt(offset: number): number } | undefined
  const lineAt = (offset: number): number => (lines ??= lineIndex(text)).lineAt(offset)
  if (read.unreadable !== undefined) {
    found.unreadable = { line: lineAt(read.unreadable.offset), message: read.unreadable.message }
  }
  for (const s of read.strings) {
    if (!s.value.includes('secret')) continue
    const calls = findCalls(s.value, PEBBLE)
    if (calls.length === 0) continue
    const inSource = sourceOffsets(s.value, text, s.start, s.end)
    for (const call of calls) addCall(found, call, lineAt(inSource(call.at)))
  }
  return found
}

/**
 * The findings of `check --flows`: each literal name the flows use must be defined (and, with
 * `subkey=`, be a JSON object with that field); a defined secret no flow uses is a note. Every
 * finding names the flow file, the line and the name as the flow writes it, never a value.
 * `defined` is keyed by the upper-cased name; `encodedFile` is the file the check is about.
 */
export function checkFlows(flows: { root: string; files: readonly CheckFile[] },
  defined: ReadonlyMap<string, DefinedSecret>, encodedFile: string, yaml: YamlModule | undefined,
  mounted: readonly string[] = []): Finding[] {
  const findings: Finding[] = []
  if (flows.files.length === 0) {
    findings.push(finding(flows.root, 'no-flows', 'warning', undefined, undefined,
      'no *.yml or *.yaml file found here: no flow was checked'))
    return findings
  }
  const used = new Set<string>()
  const json = new JsonCache()
  for (const flow of flows.files) {
    const found = findSecretReferences(flow.text, yaml)
    const report = (code: DiagnosticCode, severity: Severity, line: number | undefined, key: string | undefined,
      message: string): void => { findings.push(finding(flow.name, code, severity, line, key, message)) }
    if (found.unreadable !== undefined) {
      report('flow-syntax', 'error', found.unreadable.line, undefined, found.unreadable.message)
    }
    for (const ref of found.references) {
      const upper = ref.name.toUpperCase()
      used.add(upper)
      checkReference(ref, defined.get(upper), encodedFile, mounted, json, report)
    }
    for (const line of found.dynamic) {
      report('dynamic-secret', 'note', line, undefined, 'secret() with a name computed at run time: it cannot be checked here')
    }
    noteNamespaces(found.references, report)
  }
  for (const d of defined.values()) {
    if (used.has(d.name)) continue
    const variable = displayName(d.variable)
    findings.push(finding(d.file, 'unused-secret', 'note', d.line, variable, `${variable} is not used by any flow in ${flows.root}`))
  }
  return findings
}

// ------------------------------------------------------------------------------------ checking

type FlowReport = (code: DiagnosticCode, severity: Severity, line: number | undefined, key: string | undefined,
  message: string) => void

function checkReference(ref: SecretReference, secret: DefinedSecret | undefined, encodedFile: string,
  mounted: readonly string[], json: JsonCache, report: FlowReport): void {
  const shown = displayName(ref.name)
  if (secret === undefined) {
    // A Secret mounted whole (extraEnvFrom) may hold it: its keys are not in the file.
    const maybe = mounted.length === 0 ? '' : `, unless the Secret ${mounted.join(' or ')} that the values mount holds it`
    report('flow-missing-secret', mounted.length === 0 ? 'error' : 'warning', ref.line, shown,
      `secret('${shown}') is used here but ${encodedFile} has no ${SECRET_PREFIX}${displayName(ref.name.toUpperCase())}${maybe}: ` +
      'the flow would fail with "Cannot find secret"')
    return
  }
  if (ref.dynamicSubkey === true) {
    report('dynamic-subkey', 'note', ref.line, shown,
      `secret('${shown}') with a subkey computed at run time: whether ${displayName(secret.variable)} holds that field ` +
      'cannot be checked here')
  }
  // Without the decoded text (a Helm valueFrom, a value that does not decode) there is nothing to
  // say about its fields; an undecodable value is reported where it is defined.
  if (ref.subkey === undefined || secret.value === undefined) return
  const problem = json.subkeyProblem(secret.name, secret.value, ref.subkey)
  if (problem === undefined) return
  const call = `secret('${shown}', subkey='${displayName(ref.subkey)}')`
  const where = `${displayName(secret.variable)} (${secret.file} line ${secret.line})`
  report('flow-missing-subkey', 'error', ref.line, shown, `${call} reads a field of a JSON object, but ${
    problem === 'not-json' ? `${where} is not JSON`
      : problem === 'not-object' ? `${where} is JSON but not an object`
        : `the JSON object in ${where} has no top-level field ${displayName(ref.subkey)}`
  }: the flow would fail at run time`)
}

/**
 * Kestra's secret() parses the secret with Jackson's `readTree` and asks `has(subkey)`: a field
 * of a top-level object, whatever its value. Each secret is parsed once, however many calls read it.
 */
class JsonCache {
  private readonly parsed = new Map<string, { ok: true; value: unknown } | { ok: false }>()

  subkeyProblem(name: string, text: string, field: string): 'not-json' | 'not-object' | 'no-field' | undefined {
    let entry = this.parsed.get(name)
    if (entry === undefined) {
      try {
        entry = { ok: true, value: JSON.parse(text) as unknown }
      } catch {
        entry = { ok: false }
      }
      this.parsed.set(name, entry)
    }
    if (!entry.ok) return 'not-json'
    const value = entry.value
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-object'
    return Object.hasOwn(value, field) ? undefined : 'no-field'
  }
}

/**
 * One note per flow file, at its first call with `namespace=`: the environment backend reads
 * every SECRET_ variable for every namespace, so the argument changes nothing. A note per call
 * would repeat one fact many times; one per run could name only one of the files.
 */
function noteNamespaces(references: readonly SecretReference[], report: FlowReport): void {
  const withNamespace = references.filter((r) => r.namespace === true)
  const first = withNamespace[0]
  if (first === undefined) return
  const others = withNamespace.length - 1
  report('ignored-namespace', 'note', first.line, first.name,
    `secret('${displayName(first.name)}') is called with namespace=${others === 0 ? ''
      : others === 1 ? ' (as is 1 more call in this file)' : ` (as are ${others} more calls in this file)`}, ` +
    "which the environment secret backend of Kestra's open-source edition ignores: every namespace reads the same " +
    `${SECRET_PREFIX} variables`)
}

// ------------------------------------------------------------------------------- reading YAML

interface StringValue {
  value: string
  /** The scalar's source range in the file, quotes and block header included. */
  start: number
  end: number
}

/** The string values of every document of a flow file, in order, and what could not be read. */
function readStrings(text: string, yaml: YamlModule):
  { strings: StringValue[]; unreadable?: { offset: number; message: string } } {
  const { tokens, tooDeep } = parseYaml(yaml, text)
  if (tooDeep !== undefined) {
    return {
      strings: [],
      unreadable: {
        offset: tooDeep,
        message: `nested more than ${MAX_YAML_DEPTH} levels deep, which no flow is and which is not read: ` +
          'no secret() call of this file was checked',
      },
    }
  }
  // YAML 1.1, as Kestra's reader; repeated keys are left alone (the library's check of them is
  // quadratic, and a repeated key changes no secret() call).
  const composer = new yaml.Composer({ version: '1.1', uniqueKeys: false })
  const strings: StringValue[] = []
  let unreadable: { offset: number; message: string } | undefined
  for (const doc of composer.compose(tokens)) {
    const error = doc.errors[0]
    if (error === undefined) {
      collectStrings(yaml, doc, strings)
    } else {
      // The library's message quotes the source, values included: only its code is shown.
      unreadable ??= {
        offset: error.pos[0],
        message: `not valid YAML (${error.code}): Kestra cannot load this flow, and no secret() call of ` +
          'this YAML document was checked',
      }
    }
  }
  return unreadable === undefined ? { strings } : { strings, unreadable }
}

/** The string scalars that are values (not keys) in a document, in document order, without recursion. */
function collectStrings(yaml: YamlModule, doc: Document.Parsed, out: StringValue[]): void {
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (yaml.isScalar(node)) {
      const range = node.range
      if (typeof node.value === 'string' && range) out.push({ value: node.value, start: range[0], end: range[1] })
    } else if (yaml.isPair(node)) {
      stack.push(node.value)
    } else if (yaml.isMap(node) || yaml.isSeq(node)) {
      // Reversed, so that they come off the stack in order. An alias is left alone: its anchor is
      // scanned where it is defined.
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i])
    }
  }
}

/**
 * Maps an offset of a `secret(` in a scalar's value to its offset in the file. The value differs
 * from its source by quotes, escapes, folding and indentation, but these never create nor remove
 * a `secret(`: the k-th one of the value is the k-th one of the source, whose line is exact. If
 * the two counts differ (an escape such as `\x73ecret(` spells one), the scalar's start is used.
 */
function sourceOffsets(value: string, text: string, start: number, end: number): (at: number) => number {
  const source = text.slice(start, end)
  const inValue = callOffsets(value)
  const inSource = callOffsets(source)
  if (inValue.length !== inSource.length) return () => start
  let k = 0
  return (at) => {
    // Calls are asked for in order, so one pass over the list finds them all.
    while (k < inValue.length && (inValue[k] as number) < at) k++
    return start + (inSource[k] ?? 0)
  }
}

function callOffsets(text: string): number[] {
  const offsets: number[] = []
  for (const m of text.matchAll(ANY_CALL)) offsets.push(m.index)
  return offsets
}

// ------------------------------------------------------------------------ scanning expressions

/** `secret(` as a function call: not part of a longer name (`mysecret(`) nor a method (`x.secret(`). */
const ANY_CALL = /(?<![\w.])secret\s*\(/g

/** How string literals are written in the text scanned: Pebble's own quotes, and in raw YAML text also YAML's escaped ones. */
interface Quoting {
  /** A call, a string's opening quote, a bracket or a comma. */
  token: RegExp
  /** A whole argument that is one string literal with nothing to unescape (group 2: its text). */
  literal: RegExp
}

/** A string value as Pebble reads it. */
const PEBBLE: Quoting = {
  token: /(?<![\w.])secret\s*\(|["'()[\]{},]/g,
  literal: /^\s*(["'])([^'"\\\r\n]*)\1\s*$/,
}

/** The raw text of a YAML file, where `\"` and `''` are quotes escaped by YAML's quoted scalars. */
const RAW_TEXT: Quoting = {
  token: /(?<![\w.])secret\s*\(|\\"|''|["'()[\]{},]/g,
  literal: /^\s*(\\"|''|"|')([^'"\\\r\n]*)\1\s*$/,
}

/** One `secret(...)` call: where its name starts in the text, and its arguments. */
interface Call {
  at: number
  args: Argument[]
}

interface Argument {
  /** The name of a named argument (`subkey='x'`). */
  name: string | undefined
  /** The text of an argument that is a string literal; undefined for any other expression. */
  literal: string | undefined
}

/** The `secret(...)` calls inside the Pebble expressions of a text, in order. */
function findCalls(text: string, quoting: Quoting): Call[] {
  const calls: Call[] = []
  // Most expressions call no secret(): the next `secret` of the text, searched again only once
  // passed, tells which to skip without a second pass over them.
  let next = text.indexOf('secret')
  forEachExpression(text, (start, end) => {
    if (next !== -1 && next < start) next = text.indexOf('secret', start)
    if (next !== -1 && next < end) callsIn(text.slice(start, end), start, quoting, calls)
  })
  return calls
}

const CLOSER: Readonly<Record<string, string>> = { '{': '}}', '%': '%}' }

// Pebble's own patterns (its Syntax class, default delimiters), with Java's \s (ASCII only): a tag
// `{% verbatim %}` right after its `{%` (after `-` and white space, which trim the text before),
// and the tag that ends the verbatim text. Kestra's documentation gives `{% raw %} ... {% endraw %}`
// as the way to write Pebble syntax literally: its text is not evaluated either.
const VERBATIM_START = /^(?:-[ \t\n\x0B\f\r]+)?[ \t\n\x0B\f\r]*(verbatim|raw)[ \t\n\x0B\f\r]*-?%\}/
const VERBATIM_END: Readonly<Record<string, RegExp>> = {
  verbatim: /\{%-?[ \t\n\x0B\f\r]*endverbatim[ \t\n\x0B\f\r]*-?%\}/g,
  raw: /\{%-?[ \t\n\x0B\f\r]*endraw[ \t\n\x0B\f\r]*-?%\}/g,
}

/**
 * Calls `visit` with the inside of every `{{ ... }}` and `{% ... %}` of a text, in order, as
 * Pebble's lexer finds them: from one to the next, the first of `{{`, `{%` and `{#` opens the next
 * one; a comment (`{# ... #}`) and the text of `{% verbatim %} ... {% endverbatim %}` (or `raw`) are never
 * evaluated, so nothing in them is visited. An expression or verbatim text that is never closed
 * ends the scan (Pebble cannot render the text at all); a `{#` never closed is passed over.
 */
function forEachExpression(text: string, visit: (start: number, end: number) => void): void {
  // Each opener is searched for again only once passed: searching for all three after every
  // expression rescans to the end of the text for one that never occurs.
  const next = { '{{': text.indexOf('{{'), '{%': text.indexOf('{%'), '{#': text.indexOf('{#') }
  let commentEnd = 0
  for (let pos = 0; ;) {
    let open = -1
    for (const opener of ['{{', '{%', '{#'] as const) {
      if (next[opener] !== -1 && next[opener] < pos) next[opener] = text.indexOf(opener, pos)
      if (next[opener] !== -1 && (open === -1 || next[opener] < open)) open = next[opener]
    }
    if (open === -1) return
    const kind = text[open + 1] as string
    if (kind === '#') {
      // The next `#}` is searched for again only once passed, and never again once there is none.
      if (commentEnd !== -1 && commentEnd < open + 2) commentEnd = text.indexOf('#}', open + 2)
      // Never closed, Pebble cannot render the text; but a shell's `${#ARR[@]}` is one, and in the
      // raw text of a file (no yaml) the later values' calls must still be found.
      pos = commentEnd === -1 ? open + 2 : commentEnd + 2
      continue
    }
    const close = text.indexOf(CLOSER[kind] as string, open + 2)
    if (close === -1) return
    const verbatim = kind === '%' ? VERBATIM_START.exec(text.slice(open + 2, close + 2))?.[1] : undefined
    if (verbatim !== undefined) {
      const end = VERBATIM_END[verbatim] as RegExp
      end.lastIndex = close + 2
      if (end.exec(text) === null) return
      pos = end.lastIndex
      continue
    }
    visit(open + 2, close)
    pos = close + 2
  }
}

/**
 * The calls of one expression, in one pass: a stack of open brackets tells which call a comma or
 * a closing parenthesis belongs to, and strings are skipped whole, so nested calls cost no rescan.
 */
function callsIn(expression: string, base: number, quoting: Quoting, out: Call[]): void {
  // An open bracket: the call it starts, with the start of its current argument, or null.
  const stack: Array<{ call: Call; from: number } | null> = []
  const token = quoting.token
  token.lastIndex = 0
  for (let m = token.exec(expression); m !== null; m = token.exec(expression)) {
    const t = m[0]
    const c = t[0] as string
    if (c === 's') {
      const call: Call = { at: base + m.index, args: [] }
      out.push(call)
      stack.push({ call, from: token.lastIndex })
    } else if (c === '"' || c === "'" || c === '\\') {
      token.lastIndex = stringEnd(expression, m.index, t)
    } else if (c === '(' || c === '[' || c === '{') {
      stack.push(null)
    } else if (c === ',') {
      const open = stack[stack.length - 1]
      if (open) {
        open.call.args.push(argument(expression.slice(open.from, m.index), quoting))
        open.from = token.lastIndex
      }
    } else {
      const open = stack.pop()
      if (open) open.call.args.push(argument(expression.slice(open.from, m.index), quoting))
    }
  }
  // Calls left open by a malformed expression keep what they have.
  for (const open of stack) if (open) open.call.args.push(argument(expression.slice(open.from), quoting))
}

/** The end of the string literal that `quote` opens at `at` (the text's end if it is never closed). */
function stringEnd(text: string, at: number, quote: string): number {
  if (quote.length === 2) {
    // YAML's `\"` or `''` with no closing one is no quote of YAML's: `''` is then Pebble's empty string.
    const close = text.indexOf(quote, at + 2)
    return close === -1 ? at + 2 : close + 2
  }
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]
    if (c === '\\') i++
    else if (c === quote) return i + 1
  }
  return text.length
}

const NAMED = /^\s*([A-Za-z_]\w*)\s*=(?!=)/

function argument(text: string, quoting: Quoting): Argument {
  const named = NAMED.exec(text)
  const value = named === null ? text : text.slice(named[0].length)
  return { name: named?.[1], literal: quoting.literal.exec(value)?.[2] }
}

/** Kestra's secret() takes its arguments by these names, or in this order. */
const POSITIONS = ['key', 'namespace', 'subkey'] as const

function addCall(found: FlowSecrets, call: Call, line: number): void {
  let key: Argument | undefined
  let namespace: Argument | undefined
  let subkey: Argument | undefined
  call.args.forEach((a, i) => {
    const role = a.name ?? POSITIONS[i]
    if (role === 'key') key = a
    else if (role === 'namespace') namespace = a
    else if (role === 'subkey') subkey = a
  })
  if (key?.literal === undefined) {
    found.dynamic.push(line)
    return
  }
  // An empty name cannot be defined (`SECRET_` alone has no name); it is left to Kestra.
  if (key.literal === '') return
  const ref: SecretReference = { name: key.literal, line }
  if (subkey !== undefined) {
    if (subkey.literal === undefined) ref.dynamicSubkey = true
    else if (subkey.literal !== '') ref.subkey = subkey.literal
  }
  if (namespace !== undefined) ref.namespace = true
  found.references.push(ref)
}
