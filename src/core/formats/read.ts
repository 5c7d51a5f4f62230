import { isUtf8 } from 'node:buffer'
import type { Document, LineCounter, Node, Pair, Scalar, YAMLError, YAMLMap } from 'yaml'
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js'
import { hasPrefixInAnyCase, type EncodedVariable } from '../kestra.js'
import { diagnostic } from '../diagnostics.js'
import { displayName } from '../names.js'
import { isDnsSubdomain } from './k8s-secret.js'
import { secretLimits } from './limits.js'
import { MAX_YAML_DEPTH, parseYaml, type YamlModule } from './yaml.js'
import { YamlNodes } from './yaml-nodes.js'

/** The formats `readFormatted` recognises (the env format is read by the .env scanner). */
export type DocumentFormat = 'helm' | 'helm-legacy' | 'k8s-secret' | 'json'

/** How messages name each format's kind of file, and the place of its entries. */
export const DOCUMENT_WORDS: Readonly<Record<DocumentFormat, { file: string; entries: string }>> = {
  'helm': { file: 'a values file', entries: 'common.extraEnv, deployments.<name>.extraEnv or workerGroups.<name>.extraEnv' },
  'helm-legacy': { file: 'a values file', entries: 'extraEnv or deployments.<name>.extraEnv' },
  'k8s-secret': { file: 'a Secret', entries: 'the data or stringData of the Secret' },
  'json': { file: 'a JSON file', entries: 'the JSON object' },
}

/**
 * A list of `{name, value}` items that Kestra's chart puts into a container's environment: chart
 * 1.0 and later read `common.extraEnv` and each `deployments.<name>.extraEnv` and
 * `workerGroups.<name>.extraEnv`; chart 0.x reads `extraEnv` and `deployments.<name>.extraEnv`.
 * A name that no .env file could hold is shown as `displayName` shows it.
 */
export type EnvList =
  | 'common.extraEnv'
  | 'extraEnv'
  | `deployments.${string}.extraEnv`
  | `workerGroups.${string}.extraEnv`

/** A list that mounts whole Secrets into the environment (`envFrom`). */
export type MountList =
  | 'common.extraEnvFrom'
  | 'extraSecretEnvFrom'
  | `deployments.${string}.extraEnvFrom`
  | `workerGroups.${string}.extraEnvFrom`

/** What a `valueFrom` takes a variable's value from, as Kubernetes names it. */
export type ValueSource = 'secretKeyRef' | 'configMapKeyRef' | 'fieldRef' | 'resourceFieldRef' | 'fileKeyRef'
const VALUE_SOURCES: readonly ValueSource[] = ['secretKeyRef', 'configMapKeyRef', 'fieldRef', 'resourceFieldRef', 'fileKeyRef']

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
  /** For a values file: the list that holds the entry. */
  list?: EnvList
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

/** A variable of a values file whose value Kubernetes takes from elsewhere (`valueFrom`). */
export interface ExternalVariable {
  /** The variable's name (never one that ran on into its value: see `value-in-name`). */
  variable: string
  line: number
  from: ValueSource
  list: EnvList
}

/** A whole Secret that a values file mounts into the environment; its keys are not in the file. */
export interface SecretMount {
  /** The Secret's name: always a valid one (a DNS-1123 subdomain). */
  secret: string
  line: number
  list: MountList
  /** The `prefix` Kubernetes puts before each of its keys, if any. */
  prefix?: string
}

export interface FormattedDocument {
  format: DocumentFormat
  /** In document order; duplicates are kept (the caller's checks report them). */
  entries: FormattedEntry[]
  /** Variables defined elsewhere (`valueFrom`), in document order: each has a `defined-elsewhere` note. */
  external: ExternalVariable[]
  /** Secrets mounted whole (`extraEnvFrom`, chart 0.x `extraSecretEnvFrom`), in document order. */
  mounts: SecretMount[]
  /** Syntax errors, entries that cannot be read, notes; never a value in a message. */
  diagnostics: Diagnostic[]
  /** The YAML comments at the top of the document, in the form of `FormattedEntry.commentBefore`. */
  commentBefore?: string
  /** The YAML comments after the last entry. */
  comment?: string
}

/**
 * Whether the chart puts the variables of two lists of a values file into one container's
 * environment, where a name defined twice is a duplicate (Kubernetes keeps the last). Chart 1.0
 * and later append each deployment's list to `common.extraEnv`; chart 0.x uses a deployment's list
 * instead of `extraEnv`. The entries of a Secret or of JSON (no list) are one environment.
 */
export function sameEnvironment(format: DocumentFormat, a: EnvList | undefined, b: EnvList | undefined): boolean {
  return a === b || (format === 'helm' && (a === 'common.extraEnv' || b === 'common.extraEnv'))
}

/**
 * A cheap test, without the yaml library, that is false only for texts `readFormatted` would not
 * recognise: JSON starts with `{`, and the YAML formats name `extraEnv` or `Secret`. Lets a caller
 * skip loading the yaml library for a plain .env file.
 */
const JSON_START = /\s*\{/y

// One search for both words: half the time of two (includes) over a large file.
const EITHER_WORD = /extraEnv|Secret/

export function mightBeFormatted(text: string): boolean {
  return mightBeJson(text) || EITHER_WORD.test(text)
}

/** The part of mightBeFormatted that holds without the yaml library, which only JSON needs. */
export function mightBeJson(text: string): boolean {
  // (A sticky search from after a byte-order mark: no copy of the text.)
  JSON_START.lastIndex = text.charCodeAt(0) === 0xfeff ? 1 : 0
  return JSON_START.test(text)
}

/**
 * Recognises a Helm values file (chart 1.0+ `common.extraEnv` and the lists of its deployments and
 * worker groups, or chart 0.x `extraEnv`), a Kubernetes Secret manifest (`kind: Secret`, its
 * `data` and `stringData`) or a JSON object from its content, and returns its entries (with
 * `comments`, the YAML comments around them too); `undefined` when the text is none of these (a
 * .env file).
 *
 * YAML is read as Helm and kubectl read it: as YAML 1.1, so that an unquoted `yes` or `0777` is
 * the boolean or number they would see, not text, and with `<<` merge keys. Without `yaml` (the
 * loaded `yaml` package), only JSON is recognised.
 */
export function readFormatted(text: string, yaml?: YamlModule, options: ReadOptions = {}): FormattedDocument | undefined {
  // A lone CR ends a line in YAML (and for kubectl) as for dotenv, but not for the yaml library:
  // as LF, one for one, the lines stay where they are.
  const t = lonelyCrAsLf(text.replace(/^\uFEFF/, ''))
  if (/^\s*\{/.test(t)) {
    let parsed: unknown
    let error: unknown
    try {
      parsed = JSON.parse(t)
    } catch (e) {
      error = e
    }
    if (error === undefined) {
      // A Secret manifest or a values file written in JSON, which kubectl and Helm read as YAML.
      const asYaml = yaml !== undefined && isManifestOrValues(parsed) ? readYaml(t, yaml, options.comments === true, 'json') : undefined
      return asYaml ?? readJson(t, parsed)
    }
    // Not JSON: it may be a YAML flow mapping.
    const asYaml = yaml === undefined ? undefined : readYaml(t, yaml, options.comments === true, 'json')
    if (asYaml !== undefined) return asYaml
    const diagnostic: Diagnostic = {
      code: 'format-syntax', severity: 'error', message: 'starts with { but is not valid JSON',
    }
    const line = jsonErrorLine(t)
    if (line !== undefined) diagnostic.line = line
    return { format: 'json', entries: [], external: [], mounts: [], diagnostics: [diagnostic] }
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

/**
 * How much a document may hold through its aliases, in all: an entry costs its name and value and
 * 16 more, and a document holds at most 4 times its own length and 256 KiB more (30 deployments
 * that alias one list of 50 entries hold 1,500 entries, 90 KB, from a file of 3 KB). An alias is read
 * in each place that names it, as Helm and kubectl read it, but one list of n entries aliased by
 * n deployments is n * n entries, and one large value aliased by every entry is as many copies:
 * from a file of 1.6 MB, 17 GB of output. Past the bound the document is an error, and nothing
 * more of it is kept.
 */
const MAX_ALIAS_GROWTH = 4

class Collector {
  readonly entries: FormattedEntry[] = []
  readonly external: ExternalVariable[] = []
  readonly mounts: SecretMount[] = []
  readonly diagnostics: Diagnostic[] = []
  private left: number
  /** Set once the bound is passed: the readers stop there. */
  full = false

  /** `length`: the length of the document's text. */
  constructor(length: number) {
    this.left = MAX_ALIAS_GROWTH * length + 256 * 1024
  }

  /** Whether what is read at `line` (`chars` long) may be kept; the error, once, when it may not. */
  keep(chars: number, line: number | undefined): boolean {
    if (this.full) return false
    this.left -= chars + 16
    if (this.left >= 0) return true
    this.full = true
    this.report('format-invalid', 'error', line, undefined,
      `through its aliases, this document would hold more than ${MAX_ALIAS_GROWTH} times its own size: ` +
      'nothing from here on is read (a list or a value named by very many aliases?)')
    return false
  }
  report(code: DiagnosticCode, severity: Diagnostic['severity'], line: number | undefined, key: string | undefined,
    message: string): void {
    this.diagnostics.push(diagnostic(code, severity, line, key, message))
  }
}

// A name that runs on into `=`, `:`, a quote or white space most likely swallowed its value
// (`SECRET_DB:"Y3p..."` with no space after the colon, a missing colon, `name: SECRET_DB=czNj...`):
// the entry is left out, so that no reader after this one ever holds that text as a name.
const RUNS_INTO_VALUE = /[=:\s"'`]/

function holdsValue(name: string): boolean {
  return RUNS_INTO_VALUE.test(name)
}

// ---------------------------------------------------------------------------------------- YAML

function lonelyCrAsLf(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r(?!\n)/g, '\n')
}

/**
 * Whether a document holds nothing but comments: `helm template` writes one for each template that
 * renders empty (`---` and a `# Source:` line), and kubectl and Helm pass over it, as over the
 * empty document after a final `---`.
 */
function isEmptyDocument(yaml: YamlModule, doc: Document.Parsed): boolean {
  const root = doc.contents
  return doc.errors.length === 0 && (root === null || (yaml.isScalar(root) && root.value === null && !root.tag && !root.anchor))
}

/**
 * Whether a JSON object may be a Secret manifest or a values file rather than the object of names
 * that `encode --format json` writes, whose values are all strings: a Secret's kind, or a key of a
 * values file that holds a list or a mapping. Only a sieve, so that the `encode --format json`
 * files are not read by the yaml library too: readYaml tells which it is (undefined for neither).
 */
function isManifestOrValues(parsed: unknown): boolean {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false
  const o = parsed as Record<string, unknown>
  if (o.kind === 'Secret' && o.apiVersion === 'v1') return true
  return ['common', 'extraEnv', 'extraSecretEnvFrom', 'deployments', 'workerGroups']
    .some((key) => Object.hasOwn(o, key) && o[key] !== null && typeof o[key] === 'object')
}

/** `fallback`: the format that a document too deep to tell is named as. */
function readYaml(t: string, yaml: YamlModule, withComments: boolean, fallback: DocumentFormat = 'helm'): FormattedDocument | undefined {
  const lines = new yaml.LineCounter()
  const { tokens, tooDeep } = parseYaml(yaml, t, lines.addNewLine)
  // yaml.parseDocument, on tokens whose nesting was measured. Repeated keys are found by
  // YamlNodes, in one pass (see there why not by the library).
  const composer = new yaml.Composer({ version: '1.1', merge: true, uniqueKeys: false })
  let doc: Document.Parsed | undefined
  for (const next of composer.compose(tokens, true, t.length)) {
    if (isEmptyDocument(yaml, next)) continue
    if (doc !== undefined) {
      doc.errors.push(new yaml.YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'more than one document'))
      break
    }
    doc = next
  }
  if (doc === undefined) return undefined
  const root = doc.contents
  const nodes = new YamlNodes(yaml, doc)
  const at = (node: unknown): number | undefined => lineOf(lines, (node as Node | null | undefined)?.range?.[0])
  const str = (node: unknown): string | undefined => {
    const n = nodes.resolve(node)
    return yaml.isScalar(n) && typeof n.value === 'string' ? n.value : undefined
  }
  const isSecret = yaml.isMap(root) && str(nodes.get(root, 'kind')) === 'Secret' && str(nodes.get(root, 'apiVersion')) === 'v1'
  const format: DocumentFormat | undefined = isSecret ? 'k8s-secret' : yaml.isMap(root) ? helmFormat(yaml, nodes, root) : undefined
  if (tooDeep !== undefined) {
    // Refused whole, whatever the part before says: read as a .env instead, its lines would be
    // taken for entries. It is named by that part when it tells, as a values file otherwise.
    const message = `nested more than ${MAX_YAML_DEPTH} levels deep, which no values file or Secret is: it is not read`
    return {
      format: format ?? fallback, entries: [], external: [], mounts: [],
      diagnostics: [diagnostic('format-syntax', 'error', lineOf(lines, tooDeep), undefined, message)],
    }
  }
  if (format === undefined || !yaml.isMap(root)) return undefined

  const out = new Collector(t.length)
  for (const error of doc.errors) out.report('format-syntax', 'error', lineOf(lines, error.pos[0]), undefined, yamlError(error))
  if (doc.errors.length > 0) {
    // Neither Helm nor kubectl reads a document with a syntax error, and what the yaml library
    // makes of the rest (a value on a line of its own becomes a key) may show a value as a name.
    return { format, entries: [], external: [], mounts: [], diagnostics: out.diagnostics }
  }
  for (const key of nodes.repeatedKeys) {
    out.report('format-syntax', 'error', at(key), undefined, 'a key appears twice in one mapping, which YAML does not allow')
  }
  for (const problem of nodes.problems) out.report('format-syntax', 'error', at(problem.node), undefined, problem.message)
  const ctx: Context = { yaml, nodes, out, at, str, comments: new Comments(), taken: new Set(), itemKeys: itemKeysOf(yaml, nodes) }
  if (format === 'k8s-secret') readSecret(ctx, root)
  else readHelm(ctx, root, format)

  const document: FormattedDocument = {
    format, entries: out.entries, external: out.external, mounts: out.mounts, diagnostics: out.diagnostics,
  }
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
  /** The keys of an `extraEnv` item (see ItemKeys). */
  itemKeys: (item: YAMLMap) => ItemKeys
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
    if (out.keep(entry.variable.length + entry.encoded.length, entry.line)) out.entries.push(entry)
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

type HelmFormat = 'helm' | 'helm-legacy'

/**
 * Which chart a values file is for: 1.0 and later when it has `common.extraEnv`,
 * `common.extraEnvFrom`, or a worker group's or deployment's `extraEnvFrom` (0.x has none of
 * these); 0.x when it has a top-level `extraEnv` or `extraSecretEnvFrom`; 1.0 and later still when
 * it has only a deployment's `extraEnv`, which both read.
 */
function helmFormat(yaml: YamlModule, nodes: YamlNodes, root: YAMLMap): HelmFormat | undefined {
  const common = nodes.get(root, 'common')
  const inAny = (group: string, key: string): boolean => {
    const map = nodes.get(root, group)
    return yaml.isMap(map) && nodes.pairs(map).some(({ pair }) => nodes.has(nodes.resolve(pair.value), key))
  }
  if (nodes.has(common, 'extraEnv') || nodes.has(common, 'extraEnvFrom')) return 'helm'
  if (inAny('workerGroups', 'extraEnv') || inAny('workerGroups', 'extraEnvFrom') || inAny('deployments', 'extraEnvFrom')) return 'helm'
  if (nodes.has(root, 'extraEnv') || nodes.has(root, 'extraSecretEnvFrom')) return 'helm-legacy'
  return inAny('deployments', 'extraEnv') ? 'helm' : undefined
}

/** A list found in a values file, with the pairs that lead to it from the root (for their comments). */
interface Found {
  node: unknown
  path: Pair[]
}

interface ListRef<L extends string> extends Found {
  list: L
}

/** Every list of the values file the chart reads, each read in document order. */
function readHelm(ctx: Context, root: YAMLMap, format: HelmFormat): void {
  const { env, mounts } = helmLists(ctx, root, format)
  for (const ref of env) {
    if (ctx.out.full) return
    readEnvList(ctx, ref)
    ctx.comments.endList()
  }
  for (const ref of mounts) {
    if (ctx.out.full) return
    readMountList(ctx, ref)
  }
  if (format === 'helm') {
    for (const [key, instead] of [['extraEnv', 'common.extraEnv'], ['extraSecretEnvFrom', 'common.extraEnvFrom']]) {
      const pair = ctx.nodes.pair(root, key as string)
      if (pair === undefined) continue
      ctx.out.report('format-skipped', 'warning', ctx.at(pair.key), undefined,
        `the top-level ${key} is read by chart 0.x only, and chart 1.0 and later read ${instead}: its entries are left out`)
    }
  }
}

/**
 * The lists of a values file, each in document order. Chart 1.0 and later read `common.extraEnv`
 * and append to it, in each container, the `extraEnv` of its deployment or worker group (the
 * chart merges `workerGroups` into `deployments`, where a deployment's own settings win); the same
 * for `extraEnvFrom`. Chart 0.x reads `extraEnv` (or a deployment's `extraEnv` instead) and
 * `extraSecretEnvFrom`. Every deployment is read, enabled or not: its `enabled` may come from
 * another values file.
 */
function helmLists(ctx: Context, root: YAMLMap, format: HelmFormat): { env: ListRef<EnvList>[]; mounts: ListRef<MountList>[] } {
  const { yaml, nodes } = ctx
  const env: ListRef<EnvList>[] = []
  const mounts: ListRef<MountList>[] = []
  const find = (path: Pair[], map: unknown, key: string): Found | undefined => {
    const pair = yaml.isMap(map) ? nodes.pair(map, key) : undefined
    return pair === undefined ? undefined : { node: nodes.resolve(pair.value), path: [...path, pair] }
  }
  const add = <L extends string>(to: ListRef<L>[], found: Found | undefined, list: L): void => {
    if (found !== undefined) to.push({ ...found, list })
  }
  if (format === 'helm') {
    const common = nodes.pair(root, 'common')
    const map = nodes.resolve(common?.value)
    if (common !== undefined) {
      add(env, find([common], map, 'extraEnv'), 'common.extraEnv')
      add(mounts, find([common], map, 'extraEnvFrom'), 'common.extraEnvFrom')
    }
  } else {
    add(env, find([], root, 'extraEnv'), 'extraEnv')
    add(mounts, find([], root, 'extraSecretEnvFrom'), 'extraSecretEnvFrom')
  }
  // The settings of each deployment by name, for the worker groups of the same name.
  const deployments = new Map<string, unknown>()
  // Each list's label, by its group and name as shown; two names shown alike (both hidden as
  // <base64>) are still two lists, which are two environments: the later ones are numbered.
  // (A shown name holds no space, so no numbered label is another name as shown.)
  const labels = new Map<string, string>()
  const alike = new Map<string, number>()
  const label = (group: string, name: string): string => {
    const known = labels.get(`${group}\0${name}`)
    if (known !== undefined) return known
    const shown = displayName(name)
    const k = (alike.get(`${group}\0${shown}`) ?? 0) + 1
    alike.set(`${group}\0${shown}`, k)
    const text = k === 1 ? shown : `${shown} (${k})`
    labels.set(`${group}\0${name}`, text)
    return text
  }
  const groups = format === 'helm' ? ['deployments', 'workerGroups'] as const : ['deployments'] as const
  for (const group of groups) {
    const groupPair = nodes.pair(root, group)
    const map = nodes.resolve(groupPair?.value)
    if (groupPair === undefined || !yaml.isMap(map)) continue
    for (const { pair } of nodes.pairs(map)) {
      const name = nodes.keyText(pair.key)
      if (name === undefined) continue
      const shown = label(group, name)
      const settings = nodes.resolve(pair.value)
      const path = [groupPair, pair]
      const list = find(path, settings, 'extraEnv')
      const from = format === 'helm' ? find(path, settings, 'extraEnvFrom') : undefined
      if (group === 'deployments') deployments.set(name, settings)
      else if (shadowed(ctx, shown, deployments.get(name), list, from)) continue
      add(env, list, `${group}.${shown}.extraEnv`)
      add(mounts, from, `${group}.${shown}.extraEnvFrom`)
    }
  }
  const offset = (ref: ListRef<string>): number => (ref.path[ref.path.length - 1]?.key as Node | null)?.range?.[0] ?? 0
  env.sort((a, b) => offset(a) - offset(b))
  mounts.sort((a, b) => offset(a) - offset(b))
  return { env, mounts }
}

/**
 * A worker group's lists when a deployment of the same name sets them too: the chart merges
 * `workerGroups` into `deployments` (sprig's `merge`, where the deployment's non-empty values win),
 * so they are left out, with a warning.
 */
function shadowed(ctx: Context, shown: string, deployment: unknown, ...lists: (Found | undefined)[]): boolean {
  const { yaml, nodes } = ctx
  let left = false
  for (const [i, ref] of lists.entries()) {
    const key = i === 0 ? 'extraEnv' : 'extraEnvFrom'
    const own = nodes.get(deployment, key)
    if (ref === undefined || !yaml.isSeq(own) || own.items.length === 0) continue
    left = true
    ctx.out.report('format-skipped', 'warning', ctx.at(ref.path[ref.path.length - 1]?.key), undefined,
      `workerGroups.${shown}.${key} is left out: the chart merges workerGroups into deployments, and ` +
      `deployments.${shown}.${key} wins`)
  }
  return left
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
function readEnvList(ctx: Context, ref: ListRef<EnvList>): void {
  const { yaml, out, at, comments } = ctx
  comments.carry(false, ...leadingComments(ctx, ref.path))
  const list = ref.node
  if (list === null || list === undefined || (yaml.isScalar(list) && list.value === null)) return
  if (!yaml.isSeq(list)) {
    out.report('format-invalid', 'error', at(list), undefined, `${ref.list} is not a list of {name, value} items`)
    return
  }
  comments.carry(false, list.commentBefore)
  for (const [index, raw] of list.items.entries()) {
    if (out.full) return
    readEnvItem(ctx, ref.list, raw, index)
  }
  comments.carry(false, list.comment)
}

/** One `{name, value}` (or `{name, valueFrom}`) item of an `extraEnv` list. */
function readEnvItem(ctx: Context, where: EnvList, raw: unknown, index: number): void {
  const { yaml, nodes, out, at, str, comments } = ctx
  const item = nodes.resolve(raw)
  const node = raw as Node | null
  const before = node?.commentBefore
  const after = joinComments(yaml.isMap(item) ? ctx.itemKeys(item).comments : innerComments(yaml, item), node?.comment)
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
  const shown = displayName(name)
  if (holdsValue(name)) {
    out.report('value-in-name', 'error', line, shown,
      `the name of item ${n} of ${where}, ${shown}, runs on into what looks like its value (NAME=value, or no ` +
      'space after a colon?): it is left out: put the name alone in name and the value in value')
    return skip()
  }
  const { stray, unknown } = ctx.itemKeys(item)
  if (stray !== undefined) {
    out.report('value-in-name', 'error', at(stray.node) ?? line, shown,
      `item ${n} of ${where} (${shown}) has a key, ${displayName(stray.text)}, that runs on into what looks like a ` +
      'value (no space after the colon?): it is left out: write value: "<base64>"')
    return skip()
  }
  const hasValue = nodes.has(item, 'value')
  if (unknown !== undefined) {
    // Shown only when it is one of the keys misspelt in case: any other may be a value on a line
    // of its own (`value:`, then the base64 and a colon). An error when the item has no value
    // then (the variable would be empty), a warning otherwise.
    const text = nodes.keyText(unknown.key)
    const meant = inAnotherCase(ENV_VAR_KEYS, text)
    const lost = !hasValue && !nodes.has(item, 'valueFrom')
    out.report('format-invalid', lost ? 'error' : 'warning', at(unknown.key ?? unknown.value) ?? line, shown, meant !== undefined
      ? `item ${n} of ${where} (${shown}) has the key ${text as string}, which Kubernetes does not know (keys are case-sensitive): write ${meant}`
      : `item ${n} of ${where} (${shown}) has a key other than name, value and valueFrom, which Kubernetes rejects or drops` +
        (lost ? ', and no value: a misspelt key, or a value on a line of its own? Fix or remove it' : ': remove it'))
    if (lost) return skip()
  }
  const push = (encoded: string): void =>
    comments.push(out, { variable: name, encoded, line, list: where }, before, node?.spaceBefore, after)
  const valueNode = nodes.get(item, 'value')
  const valuePair = hasValue ? nodes.pair(item, 'value') : undefined
  if (valuePair !== undefined && isNull(yaml, valueNode) && !isLoneAlias(ctx, valuePair.value)) {
    out.report('format-invalid', 'error', (within(valuePair.key, item) ? at(valuePair.key) : undefined) ?? line, shown,
      `the value of ${shown} is empty (nothing after value:), which Kubernetes reads as an empty string: a value on a ` +
      'line of its own? Write value: "<base64>", or value: "" for an empty one')
    return skip()
  }
  const value = hasValue ? scalarText(yaml, valueNode) : ''
  if (value === undefined) {
    out.report('format-invalid', 'error', (within(valueNode, item) ? at(valueNode) : undefined) ?? line, shown,
      notAString(yaml, `the value of ${shown}`, valueNode))
    return skip()
  }
  if (nodes.has(item, 'valueFrom')) {
    if (value !== '') {
      out.report('format-invalid', 'error', line, shown, `${shown} has both value and valueFrom, which Kubernetes rejects: keep one`)
    } else {
      readValueFrom(ctx, { variable: name, line, list: where }, nodes.get(item, 'valueFrom'))
    }
    return skip()
  }
  // Kubernetes sets a variable without a value to the empty string.
  return push(value)
}

/** A `valueFrom`: the variable is defined elsewhere, which is worth a note, never an error. */
function readValueFrom(ctx: Context, v: Omit<ExternalVariable, 'from'>, source: unknown): void {
  const { yaml, nodes, out } = ctx
  const shown = displayName(v.variable)
  const named = yaml.isMap(source) ? VALUE_SOURCES.filter((s) => nodes.has(source, s)) : []
  const from = named[0]
  if (named.length !== 1 || from === undefined) {
    out.report('format-invalid', 'error', v.line, shown,
      `the valueFrom of ${shown} must name exactly one of ${VALUE_SOURCES.join(', ')}, as Kubernetes requires`)
    return
  }
  if (out.keep(v.variable.length, v.line)) out.external.push({ ...v, from })
  out.report('defined-elsewhere', 'note', v.line, shown,
    `${shown} takes its value from valueFrom.${from}, which Kubernetes resolves: it is defined elsewhere and not checked here`)
}

/**
 * The known key that `text` (a key that is not one) is in another case (`Value`, `stringdata`):
 * the only unknown keys a message names, since any other may be a value on a line of its own.
 */
function inAnotherCase<K extends string>(known: readonly K[], text: string | undefined): K | undefined {
  const lower = text?.toLowerCase()
  return known.find((k) => k.toLowerCase() === lower)
}

/** The keys of a Kubernetes EnvVar. */
const ENV_VAR_KEYS = ['name', 'value', 'valueFrom'] as const

/** What readEnvItem needs of the keys of an `extraEnv` item, and its comments, found once per mapping. */
interface ItemKeys {
  /**
   * A key that swallowed what follows it: `value:"Y3p..."` (no space after the colon) reads as one
   * key with no value, and the item would seem to have an empty value.
   */
  stray: { node: Node; text: string } | undefined
  /** The first pair, as Helm reads the item (merge keys followed), whose key an EnvVar does not have. */
  unknown: Pair | undefined
  comments: string | undefined
}

/** itemKeys, remembered per mapping: one that many aliases name is looked at once, not once per alias. */
function itemKeysOf(yaml: YamlModule, nodes: YamlNodes): (item: YAMLMap) => ItemKeys {
  const known = new Map<YAMLMap, ItemKeys>()
  return (item) => {
    let keys = known.get(item)
    if (keys === undefined) {
      let stray: ItemKeys['stray']
      for (const pair of item.items) {
        const text = nodes.keyText(pair.key)
        if (text !== undefined && holdsValue(text)) {
          stray = { node: pair.key as Node, text }
          break
        }
      }
      const unknown = nodes.pairs(item).find(({ pair }) => !(ENV_VAR_KEYS as readonly (string | undefined)[]).includes(nodes.keyText(pair.key)))
      keys = { stray, unknown: unknown?.pair, comments: innerComments(yaml, item) }
      known.set(item, keys)
    }
    return keys
  }
}

/**
 * `extraEnvFrom: [{secretRef: {name}, prefix}]` (chart 1.0 and later; a `configMapRef` mounts a
 * ConfigMap, not a Secret, and is passed over) or chart 0.x `extraSecretEnvFrom: [{name, prefix}]`.
 */
function readMountList(ctx: Context, ref: ListRef<MountList>): void {
  const { yaml, nodes, out, at, str } = ctx
  const list = ref.node
  if (list === null || list === undefined || (yaml.isScalar(list) && list.value === null)) return
  const legacy = ref.list === 'extraSecretEnvFrom'
  const shape = legacy ? '{name}' : '{secretRef: {name}}'
  if (!yaml.isSeq(list)) {
    out.report('format-invalid', 'error', at(list), undefined, `${ref.list} is not a list of ${shape} items`)
    return
  }
  list.items.forEach((raw, index) => {
    const item = nodes.resolve(raw)
    const n = index + 1
    if (!yaml.isMap(item)) {
      out.report('format-invalid', 'error', at(item), undefined, `item ${n} of ${ref.list} is not a ${shape} map`)
      return
    }
    const holder = legacy ? item : nodes.get(item, 'secretRef')
    if (!legacy && !nodes.has(item, 'secretRef')) return
    const nameNode = nodes.get(holder, 'name')
    const name = str(nameNode)
    const line = (within(nameNode, item) ? at(nameNode) : undefined) ?? at(item) ?? 1
    if (name === undefined || !isDnsSubdomain(name)) {
      out.report('format-invalid', 'error', line, undefined, name === undefined
        ? `item ${n} of ${ref.list} names no Secret`
        : `item ${n} of ${ref.list} names a Secret by a name Kubernetes rejects (lower-case letters, digits, - and .)`)
      return
    }
    const mount: SecretMount = { secret: name, line, list: ref.list }
    const prefix = str(nodes.get(item, 'prefix'))
    if (prefix !== undefined) mount.prefix = prefix
    if (out.keep(mount.secret.length, mount.line)) out.mounts.push(mount)
  })
}

// ---------------------------------------------------------------------------------- Secret manifest

/**
 * A Secret's `data` (decoded once, as Kubernetes does) and `stringData` (which wins), in document
 * order. A `data` entry that `stringData` replaces is still checked (the API server decodes `data`
 * before it merges), but left out, with a word (see readSecretField).
 */
function readSecret(ctx: Context, root: YAMLMap): void {
  const { yaml, nodes, str, at } = ctx
  for (const { pair } of nodes.pairs(root)) {
    const text = nodes.keyText(pair.key)
    if (text !== undefined && (SECRET_FIELDS as readonly string[]).includes(text)) continue
    // Shown only when it is a field misspelt in case (stringdata): any other key may be a value.
    // An error where entries are lost (stringdata); a key that only holds an anchor is a warning.
    const meant = inAnotherCase(SECRET_FIELDS, text)
    const lost = meant === 'data' || meant === 'stringData'
    ctx.out.report('format-invalid', lost ? 'error' : 'warning', at(pair.key ?? pair.value), undefined, meant !== undefined
      ? `${text as string} is not a field of a Secret (fields are case-sensitive), so kubectl rejects or drops what it holds: write ${meant}`
      : `a top-level key that is not a field of a Secret (${SECRET_FIELDS.join(', ')}), which kubectl rejects or drops: ` +
        'a misspelt field, or a line indented too little? Fix or remove it')
  }
  const fields = (['data', 'stringData'] as const)
    .map((field) => ({ field, pair: nodes.pair(root, field) }))
    .filter((f): f is { field: 'data' | 'stringData'; pair: Pair } => f.pair !== undefined)
    .sort((a, b) => ((a.pair.key as Node | null)?.range?.[0] ?? 0) - ((b.pair.key as Node | null)?.range?.[0] ?? 0))
  const replaced = new Map<string, { text: string | undefined; line: number }>()
  const stringData = nodes.get(root, 'stringData')
  if (yaml.isMap(stringData)) {
    for (const { pair } of nodes.pairs(stringData)) {
      const name = str(pair.key)
      if (name !== undefined) replaced.set(name, { text: scalarText(yaml, nodes.resolve(pair.value)), line: at(pair.key) ?? 1 })
    }
  }
  for (const { field, pair } of fields) {
    readSecretField(ctx, field, pair, field === 'data' ? replaced : undefined)
    ctx.comments.endList()
  }
  checkSecretLimits(ctx, root)
}

/**
 * What the API server's validation of a Secret rejects beyond its fields: a name that is no DNS
 * subdomain, a key longer than 253 characters, more than 1 MiB of data in all (secretLimits); and
 * a type other than Opaque, whose keys of its own (tls.crt for kubernetes.io/tls) it requires.
 */
function checkSecretLimits(ctx: Context, root: YAMLMap): void {
  const { nodes, out, at, str } = ctx
  const metadata = nodes.get(root, 'metadata')
  const nameNode = nodes.get(metadata, 'name')
  const name = str(nameNode)
  if (nodes.has(metadata, 'name') && (name === undefined || !isDnsSubdomain(name))) {
    out.report('format-invalid', 'error', at(nameNode) ?? at(metadata), undefined,
      'metadata.name is not a name Kubernetes accepts for a Secret (lower-case letters, digits, - and ., at most 253): rename it')
  }
  const typeNode = nodes.get(root, 'type')
  const type = str(typeNode)
  if (type !== undefined && type !== 'Opaque') {
    // Named when it is one of Kubernetes' own types: any other text is not shown.
    out.report('format-invalid', 'warning', at(typeNode), undefined,
      `a Secret of ${SECRET_TYPES.includes(type) ? `type ${type}` : 'a type other than Opaque'}, for which the API server ` +
      'requires keys of its own (tls.crt and tls.key for kubernetes.io/tls): Kestra\'s variables belong in an Opaque Secret')
  }
  const keys = out.entries.map((e) => ({ variable: e.variable, shown: displayName(e.variable), key: displayName(e.variable), value: e.encoded, line: e.line }))
  for (const d of secretLimits(keys, 'holds', 'split it into several Secrets')) out.diagnostics.push(d)
}

/** The types of Secret that Kubernetes defines besides Opaque, each with keys of its own. */
const SECRET_TYPES = ['kubernetes.io/tls', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth', 'kubernetes.io/dockerconfigjson',
  'kubernetes.io/dockercfg', 'kubernetes.io/service-account-token', 'bootstrap.kubernetes.io/token']

/** The fields of a Secret (core/v1), besides apiVersion and kind. */
const SECRET_FIELDS = ['apiVersion', 'kind', 'metadata', 'type', 'immutable', 'data', 'stringData'] as const

/** The names that a Secret's stringData sets: the text of each (undefined when not a string) and its line. */
type Replaced = ReadonlyMap<string, { text: string | undefined; line: number }>

/**
 * One field of a Secret; `replaced`, for data: the names that stringData sets. A name in both is
 * the same name twice, as decode and check say of the other formats, but Kubernetes settles which
 * value wins: with another value a warning (an edit that reached only one of them?), with the
 * same value a note.
 */
function readSecretField(ctx: Context, field: 'data' | 'stringData', fieldPair: Pair, replaced: Replaced | undefined): void {
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
    if (out.full) return
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
    const shown = displayName(name)
    if (holdsValue(name)) {
      out.report('value-in-name', 'error', line, shown,
        `a key of ${field}, ${shown}, runs on into what looks like its value (no space after the colon, or no ` +
        'colon?): it is left out: write NAME: "<value>"')
      skip()
      continue
    }
    if (isNull(yaml, nodes.resolve(pair.value)) && !isLoneAlias(ctx, pair.value)) {
      // A name without Kestra's prefix may be a value on a line of its own, with a colon after it.
      const named = hasPrefixInAnyCase(name) ? shown : undefined
      out.report('format-invalid', 'error', line, named, named === undefined
        ? `a key of ${field} has no value (nothing after its colon): a value on a line of its own? Write NAME: "<value>"`
        : `${named} in ${field} has no value (nothing after its colon), which Kubernetes reads as empty: a value on a line ` +
          'of its own? Write the value after the colon, or "" for an empty one')
      skip()
      continue
    }
    const encoded = secretValue(ctx, field, shown, line, nodes.resolve(pair.value))
    const winner = replaced?.get(name)
    if (encoded !== undefined && winner?.text !== undefined) {
      // (A stringData value that is not a string has an error of its own.)
      if (winner.text === encoded) {
        out.report('duplicate', 'note', line, shown,
          `${shown} is also in stringData (line ${winner.line}), with the same value: Kubernetes keeps stringData's, ` +
          'so the one in data is left out')
      } else {
        out.report('duplicate', 'warning', line, shown,
          `${shown} is also in stringData (line ${winner.line}), with a different value: Kubernetes keeps stringData's, ` +
          'so the one in data is left out: remove one of them')
      }
    }
    if (encoded === undefined || winner !== undefined) {
      skip()
      continue
    }
    comments.push(out, { variable: name, encoded, line, field }, before, spaceBefore, after)
  }
  comments.carry(false, map.comment)
}

/** The text Kestra receives for a Secret's value, or undefined after an error. */
function secretValue(ctx: Context, field: 'data' | 'stringData', shown: string, line: number, valueNode: unknown): string | undefined {
  const { yaml, out } = ctx
  const value = scalarText(yaml, valueNode)
  if (value === undefined) {
    out.report('format-invalid', 'error', line, shown,
      notAString(yaml, `the ${field} value of ${shown}`, valueNode))
    return undefined
  }
  if (field === 'stringData') return value
  // Kubernetes decodes data with Go's base64.StdEncoding: padding required, line breaks ignored.
  const compact = value.replace(/[\r\n]/g, '')
  if (!PADDED_BASE64.test(compact)) {
    out.report('format-invalid', 'error', line, shown,
      `the data value of ${shown} is not base64, which Kubernetes rejects: use stringData for text`)
    return undefined
  }
  const bytes = Buffer.from(compact, 'base64')
  if (!isUtf8(bytes)) {
    out.report('format-invalid', 'error', line, shown,
      `the data value of ${shown} does not decode to UTF-8 text, so it cannot be Kestra's base64`)
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

/** An alias that names no anchor: an error of its own already (see YamlNodes), not an empty value. */
function isLoneAlias(ctx: Context, node: unknown): boolean {
  return ctx.yaml.isAlias(node) && ctx.nodes.resolve(node) === undefined
}

/** Nothing after a key's colon (or `~`, `null`): Kubernetes reads it as an empty string. */
function isNull(yaml: YamlModule, node: unknown): boolean {
  return node === null || node === undefined || (yaml.isScalar(node) && node.value === null)
}

// What go-yaml v2, which Helm and kubectl read YAML with, takes for a number beyond YAML 1.1's:
// an unquoted scalar that Go's strconv.ParseInt(s, 0, 64) reads once its underscores are removed,
// with a 0o, 0O, 0B or 0X prefix (`value: 0o17` becomes 15). The yaml library reads it as text.
const GO_PREFIXED_INT = /^[-+]?0(?:[oO][0-7]+|[bB][01]+|[xX][0-9a-fA-F]+)$/

/**
 * The text of a string scalar as Helm and kubectl read it; `null` (`value:` or `~`) reads as
 * empty, as Kubernetes reads it; undefined for anything else: a mapping, a list, a boolean or a
 * number, also one of go-yaml's (GO_PREFIXED_INT) or one tagged so (`!!int "15"`).
 */
function scalarText(yaml: YamlModule, node: unknown): string | undefined {
  if (isNull(yaml, node)) return ''
  if (!yaml.isScalar(node) || typeof node.value !== 'string' || !isStringToGo(node)) return undefined
  return node.value
}

function isStringToGo(node: Scalar): boolean {
  const tag = node.tag
  if (tag !== undefined && tag !== 'tag:yaml.org,2002:str' && tag.startsWith('tag:yaml.org,2002:')) return false
  return !(node.type === 'PLAIN' && tag === undefined && GO_PREFIXED_INT.test((node.value as string).replace(/_/g, '')))
}

/** The error for a value (`what`: "the value of X") that is not the string Kubernetes needs. */
function notAString(yaml: YamlModule, what: string, node: unknown): string {
  if (yaml.isScalar(node) && node.tag === 'tag:yaml.org,2002:binary') {
    return `${what} is tagged !!binary, which Helm and kubectl decode to its bytes, not to the text Kestra should get: ` +
      'write that text itself, in quotes'
  }
  return `${what} is not a string (${kindOf(yaml, node)}), which Kubernetes rejects: quote it`
}

function kindOf(yaml: YamlModule, node: unknown): string {
  if (yaml.isMap(node)) return 'a mapping'
  if (yaml.isSeq(node)) return 'a list'
  if (yaml.isScalar(node)) {
    const v = node.value
    if (typeof v === 'boolean') return 'a YAML boolean'
    if (typeof v === 'number' || typeof v === 'bigint') return 'a YAML number'
    if (typeof v === 'string' && !isStringToGo(node)) {
      return node.tag === undefined ? 'a number to Helm and kubectl' : `tagged ${node.tag.replace('tag:yaml.org,2002:', '!!')}`
    }
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
    case 'MISSING_CHAR': return 'a character YAML needs is missing here: a colon after a key, a closing quote or bracket?'
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key runs over more than one line, which YAML does not allow: is a colon missing, or the space after one?'
    default: return `not valid YAML (${error.code})`
  }
}

// ---------------------------------------------------------------------------------------- JSON

/**
 * The members of a JSON object, in document order with their lines (JSON.parse gives neither
 * lines nor repeated names). The text is valid JSON already: only strings and brackets matter.
 */
function readJson(t: string, parsed: unknown): FormattedDocument {
  const out = new Collector(t.length)
  const done = (): FormattedDocument => ({ format: 'json', entries: out.entries, external: [], mounts: [], diagnostics: out.diagnostics })
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    out.report('format-syntax', 'error', 1, undefined, 'the JSON is not an object of names to values')
    return done()
  }
  let line = 1
  let depth = 0
  let expectKey = false
  let pendingKey: { name: string; line: number } | undefined
  const notText = (key: { name: string; line: number }): void => {
    const shown = displayName(key.name)
    out.report('format-invalid', 'error', key.line, shown, `the value of ${shown} is not a string: write the base64 text in quotes`)
  }
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x0a || (c === 0x0d && t.charCodeAt(i + 1) !== 0x0a)) { line++; continue }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x3a) continue
    if (c === 0x7b || c === 0x5b) {
      if (depth === 1 && pendingKey !== undefined) {
        notText(pendingKey)
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
        if (holdsValue(token)) {
          const shown = displayName(token)
          out.report('value-in-name', 'error', line, shown,
            `a member name, ${shown}, runs on into what looks like its value (NAME=value in one string?): it is ` +
            'left out: write "NAME": "<base64>"')
          pendingKey = undefined
        }
      } else if (depth === 1 && pendingKey !== undefined) {
        out.entries.push({ variable: pendingKey.name, encoded: token, line: pendingKey.line })
        pendingKey = undefined
      }
      i = end
      continue
    }
    if (depth === 1 && pendingKey !== undefined) {
      // A number, true, false or null.
      notText(pendingKey)
      pendingKey = undefined
    }
  }
  return done()
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
