import { encodeValues, isStrictBase64 } from './base64.js'
import type { Diagnostic, Report } from './diagnostics.js'
import { collector, hasErrors, NO_ENTRIES_MESSAGE, sortByLine, unreadableText } from './diagnostics.js'
import { environmentVariable, expandable, Expander, keptDefinitions, referenceMessage, type Expandable } from './expand.js'
import { hasPrefixInAnyCase, readKestraValue, SECRET_PREFIX } from './kestra.js'
import { grown, TextChunks } from './arrays.js'
import { displayName, hasShellUnsafeCharacters, mayBeValue, NamePlaces, Repeats, shellUnsafeMessage, type Repeat } from './names.js'
import { BLANK_COMMENT, commentAssignment, commentQuote, isIgnoredName, keyStart, lineEnding, normaliseLineEnds, scanEntries, scanItems, unicodeLineEndsAsSpaces, type CommentLine, type Entry, type SkippedLine } from './scan.js'

const BLANK: OutputItem = Object.freeze({ kind: 'blank' })

export interface EncodeOptions {
  /** Keep the last of several definitions of one name (at its place) instead of failing. */
  allowDuplicates?: boolean
  /** Encode even when the input already looks encoded. */
  force?: boolean
  /**
   * Expand `${VAR}` and `$VAR` in unquoted and double-quoted values, from the file's earlier
   * entries and then `env` (see expand.ts). Without it they are kept, with a warning.
   */
  expand?: boolean
  /** The environment for `expand` (the CLI passes the process's); also tells which names a message may show. */
  env?: Readonly<Record<string, string | undefined>>
}

/** One secret as it was read and written. */
export interface EncodedEntry {
  /** The name in the input, as dotenv reads it. */
  name: string
  /** The variable written: `SECRET_` + name. */
  variable: string
  /** The base64 text written for the value. */
  encoded: string
  /** 1-based line of the name in the input. */
  line: number
}

/** One line of the output, before it is rendered in a format. */
export type OutputItem =
  | { kind: 'comment'; text: string }
  | { kind: 'blank' }
  | { kind: 'entry'; entry: EncodedEntry }

export interface EncodeResult {
  /** True when there is no error: `text` is then the whole output. */
  ok: boolean
  /** The encoded file (.env_encoded form); empty when `ok` is false. */
  text: string
  /** The output line by line, for other formats; empty when `ok` is false. */
  items: OutputItem[]
  /** The input's line ending. */
  eol: '\n' | '\r\n'
  /** The secrets written, in output order (duplicates dropped by `allowDuplicates` are not here). */
  entries: EncodedEntry[]
  diagnostics: Diagnostic[]
}

/** Where `encodeEach` puts the output, item by item and in order, as it is made. */
export interface EncodeSink {
  /** A comment line, as it is written. */
  comment(text: string): void
  /** `count` blank lines. */
  blank(count: number): void
  /** An entry: its line is `entry.variable=entry.encoded`. */
  entry(entry: EncodedEntry): void
}

/** What `encodeEach` found: the output went to the sink, and is the result when `ok`. */
export interface EncodeOutcome {
  /** True when there is no error: what the sink received is then the whole output. */
  ok: boolean
  /** The input's line ending. */
  eol: '\n' | '\r\n'
  /** How many secrets the sink received. */
  count: number
  diagnostics: Diagnostic[]
}

/**
 * Encodes a `.env` text for Kestra: every entry dotenv reads becomes `SECRET_<NAME>=<base64>`,
 * comments and blank lines stay where they are, an inline comment moves to its own line above its
 * entry, and the input's line ending style is kept.
 */
export function encodeEnv(source: string, options: EncodeOptions = {}): EncodeResult {
  const items: OutputItem[] = []
  const entries: EncodedEntry[] = []
  const chunks: string[] = []
  let lines: EnvLines | undefined
  const outcome = encodeEach(source, options, {
    comment: (text) => {
      items.push({ kind: 'comment', text })
      lines?.push(text)
    },
    blank: (count) => {
      for (let k = 0; k < count; k++) items.push(BLANK)
      lines?.blank(count)
    },
    entry: (entry) => {
      entries.push(entry)
      items.push({ kind: 'entry', entry })
      lines?.push(envLine(entry))
    },
  }, (eol) => {
    lines = new EnvLines(eol, (chunk) => chunks.push(chunk))
  })
  lines?.end()
  const { ok, eol, diagnostics } = outcome
  if (!ok) return { ok, text: '', items: [], eol, entries: [], diagnostics }
  return { ok, text: chunks.join(''), items, eol, entries, diagnostics }
}

/**
 * What `encodeEnv` does, with the output given to `sink` as it is made and kept by nothing here:
 * scan -> encode -> sink, one item at a time, so that a file of any size takes the memory of its
 * names and a few entries. `start` learns the line ending before the first item. When the outcome
 * is not `ok`, what the sink received is to be thrown away.
 */
export function encodeEach(source: string, options: EncodeOptions, sink: EncodeSink,
  start?: (eol: '\n' | '\r\n') => void): EncodeOutcome {
  const unreadable = unreadableText(source, 'a .env file')
  if (unreadable !== undefined) return { ok: false, eol: '\n', count: 0, diagnostics: [unreadable] }

  const t = normaliseLineEnds(source)
  const eol = lineEnding(source)
  start?.(eol)
  const env = options.env ?? {}
  // Which definitions are left out must be known before the first one is written only when the
  // file may still be written with some left out: with allowDuplicates (without it, a repeated
  // name is an error and nothing is written). Expansion, too, needs every name of the file first.
  const before = options.allowDuplicates || options.expand ? namesOf(t) : undefined
  const leftOut = before === undefined ? undefined : droppedEntries(before, options, () => {})
  const expander = options.expand ? new Expander(env, new Set(before?.all()), repeatedDefinitions(t, before, leftOut)) : undefined

  const { diagnostics, report } = collector()
  const names = new NameBook(t)
  // Whether each entry would pass for encoded, for the already-encoded check once it is known
  // which entries are left out.
  let encodedLooking: Uint8Array = new Uint8Array(1024)
  let count = 0
  // The reference warnings, completed once every name is known: where each one is, and its entry.
  const references: { at: number; entry: Expandable }[] = []
  // The entry each message of checkEntry and of the references is about, by the message's index:
  // when which definitions are left out is known only at the end, their messages go then.
  const about: number[] = []
  const out = new Batches(sink)

  // A value the user only disabled is still a secret: never copied in plain text.
  const commented = (assignment: NonNullable<CommentLine['assignment']>, line: number, lastLine: number): void => {
    const { key, value } = assignment
    const name = displayName(key)
    const lines = lastLine === line ? '' : ` over lines ${line}-${lastLine}`
    out.commentedEntry(`# ${SECRET_PREFIX}${key}=`, value)
    report('commented-entry', 'note', line, name,
      `${name} is commented out${lines}: it is written as a commented-out encoded entry, # ${SECRET_PREFIX}${name}=<base64>`)
  }

  scanItems(t, (item) => {
    switch (item.kind) {
      case 'blank':
        out.blank(item.count)
        break
      case 'comment':
        if (item.assignment === undefined) {
          out.comment(commentText(t, item))
        } else {
          // A value over several comment lines is one encoded line, which the lines it took do not follow.
          const { key, unclosed } = item.assignment
          const name = displayName(key)
          commented(item.assignment, item.line, item.lastLine)
          if (unclosed) {
            report('unterminated-quote', 'warning', item.line, name,
              `the commented-out value of ${name} opens a quote that none of the comment lines after it closes: ` +
              `lines ${item.line}-${item.lastLine} are encoded together, so that none of them is left in plain text: ` +
              'close the quote, or put a blank line before the comments that are not part of the value')
          }
        }
        break
      case 'skipped':
        reportSkipped(item, report)
        break
      case 'entry': {
        const i = names.add(item)
        const key = item.key
        if (i === encodedLooking.length) encodedLooking = grown(encodedLooking)
        if (looksEncodedEntry(item)) encodedLooking[i] = 1
        const dropped = isIgnoredName(key) || leftOut?.has(i) === true
        // A definition left out still marks where dotenv-expand expands its name (see Expander).
        const expanded = expander === undefined || isIgnoredName(key) ? undefined : expander.expand(expandable(item), report)
        const value = dropped || expanded === undefined ? item.value : expanded
        // Text that dotenv cut from the value at a `#` may be part of a secret: never copied.
        if (item.comment !== undefined && !item.hashCut) {
          // An inline comment that holds an assignment (`A=1 # OLD_A=secret`) is a commented-out
          // entry too: moved to its own line, it would read as one, in plain text.
          const text = t.slice(item.comment.start, item.comment.end)
          const assignment = commentAssignment(text)
          if (assignment !== undefined) commented(assignment, item.line, item.line)
          else out.comment(text)
        }
        if (dropped) break
        const first = diagnostics.length
        checkEntry(item, report)
        if (expander === undefined && item.value.includes('$')) {
          references.push({ at: diagnostics.length, entry: expandable(item) })
          report('reference', 'warning', item.line, displayName(key), '')
        }
        if (leftOut === undefined) for (let k = first; k < diagnostics.length; k++) about[k] = i
        count++
        out.entry({ name: key, variable: SECRET_PREFIX + key, encoded: '', line: item.line }, value)
      }
    }
  })
  out.end()

  // The messages about names come first on their line, as when they were found before the others.
  const { diagnostics: all, report: reportFirst } = collector()
  const dropped = droppedEntries(names, options, reportFirst)
  let looksEncoded = false
  for (let i = 0; i < names.count; i++) {
    if (dropped.has(i)) continue
    looksEncoded = encodedLooking[i] === 1
    if (!looksEncoded) break
  }
  if (looksEncoded) {
    reportFirst('already-encoded', options.force ? 'warning' : 'error', undefined, undefined, options.force
      ? 'every name starts with SECRET_ and every value is base64: encoding it again, as asked'
      : 'this looks encoded already (every name starts with SECRET_ and every value is base64): decode it instead')
  }
  completeReferences(diagnostics, references, names, env)
  diagnostics.forEach((d, k) => {
    if (d.message === '') return
    if (looksEncoded && d.code === 'already-prefixed') return
    // Found before it was known which definitions are left out: the messages about those go.
    const entry = about[k]
    if (entry !== undefined && dropped.has(entry)) return
    all.push(d)
  })
  if (count === 0 && !hasErrors(all)) {
    reportFirst('no-entries', 'warning', undefined, undefined, NO_ENTRIES_MESSAGE)
  }
  sortByLine(all)
  return { ok: !hasErrors(all), eol, count, diagnostics: all }
}

/** Items per batch, so at most as many values per call of encodeValues. */
const BATCH = 128

/**
 * The sink's items a batch at a time: values are encoded many in one call (see encodeValues),
 * so each entry, and the comments and blank lines after it, wait for the end of their batch.
 */
class Batches {
  private readonly sink: EncodeSink
  /**
   * A comment's text, a number of blank lines, an entry whose value is in `values`, or a
   * commented-out entry whose value is there too.
   */
  private waiting: (string | number | EncodedEntry | CommentedOut)[] = []
  private values: string[] = []
  /**
   * Where in `waiting` the last commented-out entry with an empty value is (`# SECRET_K=`), while
   * only comment lines with nothing after `#` follow it; -1 otherwise.
   */
  private emptyEntry = -1

  constructor(sink: EncodeSink) {
    this.sink = sink
  }

  /**
   * A comment line. A commented-out entry with an empty value before it is written
   * `# SECRET_K=''` when this line starts with a quote, which the scanner would otherwise read as
   * the start of its value (see CommentLine).
   */
  comment(text: string): void {
    const quote = commentQuote(text)
    if (this.emptyEntry !== -1 && quote >= 0) (this.waiting[this.emptyEntry] as CommentedOut).text += "''"
    if (quote !== BLANK_COMMENT) this.emptyEntry = -1
    this.waiting.push(text)
    this.endIfFull()
  }

  /** A commented-out entry: `text` (`# SECRET_K=`, which no quote starts), then the value's base64. */
  commentedEntry(text: string, value: string): void {
    this.emptyEntry = value === '' ? this.waiting.length : -1
    this.waiting.push(new CommentedOut(text))
    this.values.push(value)
    this.endIfFull()
  }

  blank(count: number): void {
    this.emptyEntry = -1
    this.waiting.push(count)
    this.endIfFull()
  }

  entry(entry: EncodedEntry, value: string): void {
    this.emptyEntry = -1
    this.waiting.push(entry)
    this.values.push(value)
    this.endIfFull()
  }

  /** Gives what waits once BATCH items wait, values or not: a file of comments would otherwise wait whole. */
  private endIfFull(): void {
    if (this.waiting.length >= BATCH) this.endDecided()
  }

  /**
   * Gives what waits, but for a commented-out empty value whose quotes are undecided and the
   * comment lines with nothing after `#` that follow it: those wait on, the empty value the one
   * value among them.
   */
  private endDecided(): void {
    if (this.emptyEntry === -1) {
      this.end()
    } else if (this.emptyEntry > 0) {
      const undecided = this.waiting.splice(this.emptyEntry)
      const value = this.values.pop() as string
      this.end()
      this.waiting = undecided
      this.values = [value]
      this.emptyEntry = 0
    }
  }

  /** Gives every item that waits. */
  end(): void {
    const encoded = encodeValues(this.values)
    const waiting = this.waiting
    this.waiting = []
    this.values = []
    let k = 0
    for (const w of waiting) {
      if (typeof w === 'string') {
        this.sink.comment(w)
      } else if (typeof w === 'number') {
        this.sink.blank(w)
      } else if (w instanceof CommentedOut) {
        this.sink.comment(w.text + (encoded[k++] as string))
      } else {
        w.encoded = encoded[k++] as string
        this.sink.entry(w)
      }
    }
  }
}

/** A commented-out entry's line before its base64, waiting in a batch. */
class CommentedOut {
  constructor(public text: string) {}
}

/** As check demands: a plain word can be valid base64 (hunter22), but rarely decodes to UTF-8 text. */
function looksEncodedEntry(e: Entry): boolean {
  return e.key.startsWith(SECRET_PREFIX) && isStrictBase64(e.value) && decodesToText(e.value)
}

/**
 * The names of a file's entries, told as they are read: where each one is in the text (not a
 * string each, which a large file would keep by the million), its line, and the definitions that
 * repeat an earlier name, or are `__proto__`.
 */
class NameBook {
  private readonly places: NamePlaces
  /** The definitions of `__proto__`, which dotenv drops. */
  readonly ignored: number[] = []

  constructor(t: string) {
    this.places = new NamePlaces(t)
  }

  get count(): number {
    return this.places.count
  }

  /** Adds an entry's name; returns its index. */
  add(e: Entry): number {
    const i = this.places.add(keyStart(this.places.text, e), e.key.length, e.line)
    if (isIgnoredName(e.key)) this.ignored.push(i)
    return i
  }

  /**
   * The definitions that repeat an earlier name, once every name is in: one loop over the names'
   * places in the text, which V8 compiles at once, where a call per entry ran cold.
   */
  repeats(): Repeat[] {
    const repeats: Repeat[] = []
    const places = this.places
    const finder = new Repeats((i) => places.name(i), places.count)
    let ignored = 0
    for (let i = 0; i < places.count; i++) {
      if (this.ignored[ignored] === i) {
        ignored++
        continue
      }
      const repeat = finder.repeat(places.text, places.start(i), places.length(i), i)
      if (repeat !== undefined) repeats.push(repeat)
    }
    return repeats
  }

  name(i: number): string {
    return this.places.name(i)
  }

  line(i: number): number {
    return this.places.line(i)
  }

  /** Every name, in order (for the rarer messages that need them all). */
  all(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.name(i))
  }
}

/** The names of a text's entries, for what must be known before the first is written. */
function namesOf(t: string): NameBook {
  const names = new NameBook(t)
  scanEntries(t, (entry) => names.add(entry))
  return names
}

/**
 * For --expand, the definition dotenv keeps of each name defined more than once: read again from
 * the text, for the names of the definitions left out only (none, in most files).
 */
function repeatedDefinitions(t: string, names: NameBook | undefined, leftOut: ReadonlySet<number> | undefined): Map<string, Expandable> {
  if (names === undefined || leftOut === undefined || leftOut.size === 0) return new Map()
  const repeated = new Set([...leftOut].map((i) => names.name(i)))
  const definitions: Expandable[] = []
  scanEntries(t, (e) => {
    if (repeated.has(e.key)) definitions.push(expandable(e))
  })
  return keptDefinitions(definitions)
}

/** The reference warnings' messages, now that every name is known; '' where there is nothing to say. */
function completeReferences(diagnostics: readonly Diagnostic[], references: readonly { at: number; entry: Expandable }[],
  names: NameBook, env: Readonly<Record<string, string | undefined>>): void {
  if (references.length === 0) return
  const defined = new Set(names.all())
  const definedElsewhere = (name: string): boolean => defined.has(name) || environmentVariable(env, name) !== undefined
  for (const { at, entry } of references) {
    (diagnostics[at] as Diagnostic).message = referenceMessage(entry, definedElsewhere) ?? ''
  }
}

/**
 * The indices of the definitions left out: dotenv keeps the last one of each name, and drops
 * `__proto__`; Kestra upper-cases names, so two that differ only in case are one secret, and an
 * error. A name defined twice is an error too, unless `allowDuplicates`.
 */
function droppedEntries(names: NameBook, options: EncodeOptions, report: Report): Set<number> {
  const dropped = new Set<number>()
  for (const i of names.ignored) {
    report('ignored-name', 'warning', names.line(i), '__proto__', 'dotenv ignores the name __proto__, so it is left out: rename it')
    dropped.add(i)
  }
  const repeats = names.repeats()
  for (const { index, earlier, sameCase } of repeats) {
    const key = names.name(index)
    if (!sameCase) {
      report('case-collision', 'error', names.line(index), displayName(key),
        `${displayName(key)} and ${displayName(names.name(earlier))} (line ${names.line(earlier)}) are one secret to Kestra, ` +
        'which upper-cases names, and it would lose one of them: rename one')
    } else if (!options.allowDuplicates) {
      report('duplicate', 'error', names.line(index), displayName(key),
        `${displayName(key)} is already defined on line ${names.line(earlier)}; dotenv keeps the last and kubectl rejects the file: remove one`)
    }
    dropped.add(earlier)
  }
  if (options.allowDuplicates) {
    // Each left-out definition, with the line of the one that is kept: the last of its name,
    // which is a repeat of the one before it.
    const last = new Map<string, number>()
    for (const { index } of repeats) last.set(names.name(index).toUpperCase(), index)
    for (const { earlier } of repeats) {
      const key = names.name(earlier)
      const kept = last.get(key.toUpperCase()) as number
      if (names.name(kept) !== key) continue
      report('duplicate', 'warning', names.line(earlier), displayName(key),
        `${displayName(key)} is defined again on line ${names.line(kept)}; this definition is left out and the last one is kept, as dotenv does`)
    }
  }
  return dropped
}

function decodesToText(value: string): boolean {
  const decoded = readKestraValue(value)
  return decoded.ok && decoded.utf8
}

/** The warnings about one entry that is written. */
function checkEntry(e: Entry, report: Report): void {
  const key = e.key
  // A line of base64 that dotenv reads as an entry: a line of a key or certificate whose value
  // was not quoted (`MIIE...wg==` is the name `MIIE...wg` with the value `=`). Such lines are 64
  // or 76 characters long; below 16, decoding every name (K000001) would cost a tenth of encode.
  if (key.length >= 16 && mayBeValue(key)) {
    report('value-in-name', 'warning', e.line, displayName(key),
      `the name of this entry looks like base64 (shown as ${displayName(key)}), as a line of a key or certificate ` +
      'does: if it is part of a value that spans lines, put that whole value in double quotes')
  }
  if (hasShellUnsafeCharacters(key)) {
    report('name-not-portable', 'warning', e.line, displayName(key), shellUnsafeMessage(SECRET_PREFIX + key))
  }
  // Left out afterwards when the whole file looks encoded already.
  if (hasPrefixInAnyCase(key)) {
    report('already-prefixed', 'warning', e.line, displayName(key),
      `${displayName(key)} already starts with ${SECRET_PREFIX}, so it becomes ${SECRET_PREFIX}${displayName(key)}: drop the prefix in the input`)
  }
  if (e.hashCut) {
    report('hash-in-value', 'warning', e.line, displayName(key),
      `the value of ${displayName(key)} has a # with no space before it: dotenv cuts the value there and the ` +
      'rest is left out, while docker compose keeps it: quote the value')
  }
  if (e.quoteState === 'text-after') {
    report('text-after-quote', 'warning', e.line, displayName(key),
      `the value of ${displayName(key)} has text after its closing quote, so dotenv keeps the quotes in the ` +
      'value: put everything inside the quotes')
  } else if (e.quoteState === 'unterminated') {
    report('unterminated-quote', 'warning', e.line, displayName(key),
      `the value of ${displayName(key)} opens a quote that is never closed, so dotenv keeps the quote in the ` +
      'value and reads only this line: close the quote')
  }
  if (e.literalEscape) {
    report('literal-escape', 'warning', e.line, displayName(key),
      `the double-quoted value of ${displayName(key)} has a backslash escape other than \\n or \\r, which ` +
      'dotenv keeps as it is (backslash included): write the character itself')
  }
}

/**
 * A comment line as it is written. A BOM in the indentation is space to dotenv but not to
 * kubectl, which would read the line as a key; U+2028 and U+2029, line ends to dotenv, would let
 * the rest of the comment be read as an entry: both become harmless.
 */
function commentText(t: string, c: CommentLine): string {
  const indent = t.slice(c.start, c.hash).replace(/\uFEFF/g, '')
  const body = t.slice(c.hash, c.end)
  return indent + unicodeLineEndsAsSpaces(body).trimEnd()
}

function reportSkipped(s: SkippedLine, report: Report): void {
  if (s.bareName) {
    report('bare-name', 'warning', s.line, undefined,
      'a name without `=` and value: dotenv ignores the line, so it is left out: add `=` and a value')
  } else {
    report('ignored-line', 'warning', s.line, undefined,
      'dotenv does not read this line (not KEY=VALUE, a comment or blank), so it is left out: ' +
      'fix it or comment it out')
  }
}

/** An entry's line in the env format. */
export function envLine(e: EncodedEntry): string {
  return e.variable + '=' + e.encoded
}

/** The `.env_encoded` form: one `SECRET_<NAME>=<base64>` per line, comments and blanks in place. */
export function renderEnv(items: readonly OutputItem[], eol: '\n' | '\r\n' = '\n'): string {
  const chunks: string[] = []
  const lines = new EnvLines(eol, (chunk) => chunks.push(chunk))
  for (const i of items) {
    if (i.kind === 'entry') lines.push(envLine(i.entry))
    else if (i.kind === 'comment') lines.push(i.text)
    else lines.blank(1)
  }
  lines.end()
  return chunks.join('')
}

/**
 * The env format's lines, each ended by `eol` (see TextChunks): a run of blank lines is one piece
 * (a file of half a million blank lines stays fast).
 */
export class EnvLines extends TextChunks {
  constructor(eol: string, emit: (chunk: string) => void) {
    super(emit, eol)
  }

  // k blank lines are one piece of k - 1 line ends, which its line end makes k.
  blank(count: number): void {
    this.push(this.after.repeat(count - 1))
  }
}
