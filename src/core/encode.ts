import { encodeValues, isStrictBase64 } from './base64.js'
import type { Diagnostic, Report } from './diagnostics.js'
import { collector, hasErrors, NO_ENTRIES_MESSAGE } from './diagnostics.js'
import { isBareName, isSpace, nextIndexOf, scanColumns, skipSpace, stripQuotes } from './scan.js'
import { lineIndex } from './lines.js'

export const SECRET_PREFIX = 'SECRET_'

const BLANK: OutputItem = Object.freeze({ kind: 'blank' })

export interface EncodeOptions {
  /** Keep the last of several definitions of one name (at its place) instead of failing. */
  allowDuplicates?: boolean
  /** Encode even when the input already looks encoded. */
  force?: boolean
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

/**
 * Encodes a `.env` text for Kestra: every entry dotenv reads becomes `SECRET_<NAME>=<base64>`,
 * comments and blank lines stay where they are, an inline comment moves to its own line above its
 * entry, and the input's line ending style is kept.
 */
export function encodeEnv(source: string, options: EncodeOptions = {}): EncodeResult {
  const { diagnostics, report } = collector()

  const nul = source.indexOf('\0')
  if (nul !== -1) {
    const line = lineIndex(source).lineAt(nul)
    report('binary', 'error', line, undefined,
      'contains a NUL byte: this looks like a binary file, not a .env file')
    return { ok: false, text: '', items: [], eol: '\n', entries: [], diagnostics }
  }

  // The entries as columns, not objects: see ScannedColumns. Each loop below runs once per entry,
  // usually in a process that has just started, so it is kept to a few native calls an entry.
  const eol = lineEnding(source)
  const scanned = scanColumns(source)
  const { text: t, count, keys, values } = scanned
  const lineOf = entryLines(t, scanned.start, count)
  // Every name, one a line (names hold no line break), for the questions asked of all of them.
  const names = keys.join('\n')
  const kept = keptEntries(keys, names, lineOf, options, report)

  let anyKept = false
  let allEncoded = true
  for (let i = 0; i < count; i++) {
    if (kept[i] === 0) continue
    anyKept = true
    if (!((keys[i] as string).startsWith(SECRET_PREFIX) && isStrictBase64(values[i] as string))) {
      allEncoded = false
      break
    }
  }
  const looksEncoded = anyKept && allEncoded
  if (looksEncoded) {
    if (options.force) {
      report('already-encoded', 'warning', undefined, undefined,
        'every name starts with SECRET_ and every value is base64: encoding it again (--force)')
    } else {
      report('already-encoded', 'error', undefined, undefined,
        'this looks encoded already (every name starts with SECRET_ and every value is base64): ' +
        'run `kestra-secrets decode` on it, or pass --force to encode it again')
    }
  }

  // The output, rebuilt line by line: the entries from their values, everything between them from
  // the source text. The lines dotenv does not read are reported after the findings about entries
  // (the order they had when those were found in a pass of their own), and sorted in with them.
  const checker = entryChecker(t, names, !looksEncoded, report)
  const { diagnostics: ignored, report: reportIgnored } = collector()
  const items: OutputItem[] = []
  const entries: EncodedEntry[] = []
  // The text is rendered along the way, line by line, as renderEnv renders the items.
  const lines = new OutputLines(eol)
  const comment = (text: string): void => {
    items.push({ kind: 'comment', text })
    lines.add(text)
  }
  let lineNumbers: ReturnType<typeof lineIndex> | undefined
  // The next line feed: asked at increasing positions (see nextIndexOf).
  const nextLineFeed = nextIndexOf(t, '\n')
  // The text between two entries, line by line: blank lines and comments are kept, anything else
  // is a line dotenv does not read. Space around an entry on its own lines is not kept.
  const gap = (from: number, to: number): void => {
    let start = from
    for (;;) {
      const lineFeed = nextLineFeed(start)
      const end = lineFeed < to ? lineFeed : to
      const startsAfterEntry = start === from && from > 0 && t.charCodeAt(from - 1) !== 0x0a
      const endsBeforeEntry = end === to && to < t.length
      let first = start
      while (first < end && isSpace(t.charCodeAt(first))) first++
      if (first === end) {
        const lastEmpty = end === to && to === t.length && start === end
        if (!startsAfterEntry && !endsBeforeEntry && !lastEmpty) {
          items.push(BLANK)
          lines.blank()
        }
      } else if (t.charCodeAt(first) === 0x23 && !startsAfterEntry) {
        // A BOM in the indentation is space to dotenv but not to kubectl, which then reads the
        // line as a key: indentation keeps only what every reader takes for space.
        const indent = t.slice(start, first).replace(/\uFEFF/g, '')
        comment(indent + safeComment(t.slice(first, end)).trimEnd())
      } else {
        lineNumbers ??= lineIndex(t)
        ignoredLine(t.slice(start, end), lineNumbers.lineAt(start), reportIgnored)
      }
      if (end === to) break
      start = end + 1
    }
  }
  const { start: starts, valueStart, valueEnd, quote, commentStart, matchEnd, nextQuote, multiline } = scanned
  const encoded = encodeValues(values)
  let cursor = 0
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number
    // The gap adds nothing when it is empty (entries that share a line), or when it is the one
    // line feed that ends the previous entry's line, or one other space character: the general
    // case, shortened.
    if (cursor < start) {
      const c = t.charCodeAt(cursor)
      const nothing = start === cursor + 1 && (c === 0x0a ? cursor > 0 && t.charCodeAt(cursor - 1) !== 0x0a : isSpace(c))
      if (!nothing) gap(cursor, start)
    }
    // The entry's own text ends at its last non-space character: with `KEY:` the space after the
    // colon may be a line break, and what follows it belongs to the next lines.
    const end = valueEnd[i] as number
    cursor = end
    // (Nothing from `!` to U+009F is space: the range test saves most calls to isSpace.)
    let last = t.charCodeAt(cursor - 1)
    while (cursor > start && (last <= 0x20 || last >= 0xa0) && isSpace(last)) last = t.charCodeAt(--cursor - 1)
    const cs = commentStart[i] as number
    if (cs !== -1 && !hasLineFeed(t, cursor, cs)) {
      // A `#` right after the value (no space before it) may well be part of a secret: the
      // hash-in-value warning says so, and that text is not copied into the output.
      if (!cutAtHash(t, quote[i] as number, end, cs)) comment(t.slice(cs, matchEnd[i]).trimEnd())
      cursor = matchEnd[i] as number
    }
    if (kept[i] === 0) continue
    const key = keys[i] as string
    const line = lineOf[i] as number
    checker(key, line, valueStart[i] as number, end, quote[i] as number, cs, nextQuote[i] as number, multiline[i] === 1)
    const base64 = encoded[i] as string
    const variable = SECRET_PREFIX + key
    const entry: EncodedEntry = { name: key, variable, encoded: base64, line }
    entries[entries.length] = entry
    items[items.length] = { kind: 'entry', entry }
    lines.add(variable + '=' + base64)
  }
  if (cursor < t.length) gap(cursor, t.length)
  for (const d of ignored) diagnostics.push(d)

  if (entries.length === 0 && !hasErrors(diagnostics)) {
    report('no-entries', 'warning', undefined, undefined,
      NO_ENTRIES_MESSAGE)
  }
  sortByLine(diagnostics)
  if (hasErrors(diagnostics)) return { ok: false, text: '', items: [], eol, entries: [], diagnostics }
  return { ok: true, text: lines.text(), items, eol, entries, diagnostics }
}

/**
 * Which definitions are kept (1) and which are left out (0): dotenv keeps the last one of each
 * name, and drops `__proto__`; Kestra upper-cases names, so two that differ only in case are one.
 */
function keptEntries(keys: readonly string[], names: string, lineOf: Int32Array, options: EncodeOptions,
  report: Report): Uint8Array {
  const count = keys.length
  const kept = new Uint8Array(count).fill(1)
  const upperNames = names.toUpperCase()
  const upper = upperNames === names ? keys : upperNames.split('\n')
  // Building a Set is one native call: when no two names are alike, as in most files, there is no
  // duplicate to look for entry by entry.
  if (new Set(upper).size === count) {
    for (let i = keys.indexOf('__proto__'); i !== -1; i = keys.indexOf('__proto__', i + 1)) {
      ignoredName(lineOf[i] as number, report)
      kept[i] = 0
    }
    return kept
  }
  // `latest` maps each upper-cased name to the index of its latest definition so far.
  const latest = new Map<string, number>()
  const dropped: number[] = []
  for (let i = 0; i < count; i++) {
    const key = keys[i] as string
    if (key === '__proto__') {
      ignoredName(lineOf[i] as number, report)
      kept[i] = 0
      continue
    }
    const name = upper[i] as string
    const before = latest.get(name)
    latest.set(name, i)
    if (before === undefined) continue
    const other = keys[before] as string
    if (other !== key) {
      report('case-collision', 'error', lineOf[i], key,
        `${key} and ${other} (line ${lineOf[before]}) are one secret to Kestra, ` +
        'which upper-cases names, and it would lose one of them: rename one')
    } else if (!options.allowDuplicates) {
      report('duplicate', 'error', lineOf[i], key,
        `${key} is already defined on line ${lineOf[before]}; dotenv keeps the last ` +
        'and kubectl rejects the file: remove one, or pass --allow-duplicates to keep the last')
    }
    kept[before] = 0
    dropped.push(before)
  }
  if (options.allowDuplicates) {
    for (const i of dropped) {
      const key = keys[i] as string
      const last = latest.get(upper[i] as string) as number
      if (keys[last] !== key) continue
      report('duplicate', 'warning', lineOf[i], key,
        `${key} is defined again on line ${lineOf[last]}; this definition is left ` +
        'out and the last one is kept, as dotenv does')
    }
  }
  return kept
}

function ignoredName(line: number, report: Report): void {
  report('ignored-name', 'warning', line, '__proto__',
    'dotenv ignores the name __proto__, so it is left out: rename it')
}

/** Sorts by line, stably (findings without a line first); most lists are in order already. */
function sortByLine(diagnostics: Diagnostic[]): void {
  for (let i = 1; i < diagnostics.length; i++) {
    if (((diagnostics[i - 1] as Diagnostic).line ?? 0) > ((diagnostics[i] as Diagnostic).line ?? 0)) {
      diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      return
    }
  }
}

/** The `.env_encoded` form: one `SECRET_<NAME>=<base64>` per line, comments and blanks in place. */
export function renderEnv(items: readonly OutputItem[], eol: '\n' | '\r\n' = '\n'): string {
  const lines = new OutputLines(eol)
  for (let k = 0; k < items.length; k++) {
    const i = items[k] as OutputItem
    if (i.kind === 'entry') lines.add(i.entry.variable + '=' + i.entry.encoded)
    else if (i.kind === 'comment') lines.add(i.text)
    else lines.blank()
  }
  return lines.text()
}

/**
 * Lines joined into a text, each ended by `eol`. A join costs per piece, so each line is one piece
 * (the line end is the separator) and a run of blank lines is one more (a file of half a million
 * blank lines stays fast).
 */
class OutputLines {
  private readonly eol: string
  private readonly pieces: string[] = []
  private blanks = 0

  constructor(eol: string) {
    this.eol = eol
  }

  add(line: string): void {
    if (this.blanks !== 0) this.endBlanks()
    this.pieces.push(line)
  }

  blank(): void {
    this.blanks++
  }

  text(): string {
    if (this.blanks !== 0) this.endBlanks()
    if (this.pieces.length === 0) return ''
    this.pieces.push('')
    return this.pieces.join(this.eol)
  }

  // k blank lines between two lines are k + 1 line ends: one piece of k - 1 between two separators.
  private endBlanks(): void {
    this.pieces.push(this.eol.repeat(this.blanks - 1))
    this.blanks = 0
  }
}

/** CRLF when the first line break is CRLF, LF otherwise (lone CR files are written with LF). */
function lineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n')
  return lf > 0 && source.charCodeAt(lf - 1) === 0x0d ? '\r\n' : '\n'
}

/**
 * dotenv ended an unquoted value at a `#` with no space before it (compose would not): `quote`,
 * `valueEnd` and `commentStart` are the entry's (see ScannedColumns).
 */
function cutAtHash(t: string, quote: number, valueEnd: number, commentStart: number): boolean {
  return quote === 0 && commentStart === valueEnd && !isSpace(t.charCodeAt(valueEnd - 1))
}

// A search bounded by hand: indexOf cannot stop at `to`, and running on past it for every entry
// is quadratic on inputs whose entries share a line (values separated by U+2028). It runs over
// the space between a value and its comment only.
function hasLineFeed(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (t.charCodeAt(i) === 0x0a) return true
  return false
}

/** The 1-based line of each entry's name, counted in one pass (entries are in source order). */
function entryLines(t: string, starts: Int32Array, count: number): Int32Array {
  const out = new Int32Array(count)
  let line = 1
  // The next line feed not yet counted: each indexOf starts past the last one, so the whole text
  // is searched once, however many entries share a line.
  let lf = t.indexOf('\n')
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number
    while (lf !== -1 && lf < start) {
      line++
      lf = t.indexOf('\n', lf + 1)
    }
    out[i] = line
  }
  return out
}

/**
 * dotenv also ends lines at U+2028 and U+2029; inside a kept comment they would let the rest of
 * the comment be read as an entry, so they become spaces there.
 */
function safeComment(text: string): string {
  return /[\u2028\u2029]/.test(text) ? text.replace(/[\u2028\u2029]/g, ' ') : text
}

/**
 * The warnings about one kept entry, as a function to call on each in source order. `names` is
 * every name, one a line: when none has a `.` or `-`, no name needs looking at for them.
 */
function entryChecker(t: string, names: string, checkPrefix: boolean, report: Report):
  (key: string, line: number, valueStart: number, valueEnd: number, quote: number, commentStart: number,
    nextQuote: number, multiline: boolean) => void {
  const mayBeNotPortable = /[.-]/.test(names)
  // The first backslash at or after the last position asked about: entries come in order, so one
  // indexOf after another searches the text once in all, however many entries share a line.
  let backslash = -1
  const hasBackslash = (from: number, to: number): boolean => {
    if (backslash < from) {
      backslash = t.indexOf('\\', from)
      if (backslash === -1) backslash = t.length
    }
    return backslash < to
  }
  return (key, line, valueStart, valueEnd, quote, commentStart, nextQuote, multiline) => {
    if (mayBeNotPortable && (key.includes('.') || key.includes('-'))) {
      report('name-not-portable', 'warning', line, key,
        `${SECRET_PREFIX}${key} is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*), so ` +
        '`set -a; . file` cannot load it: use letters, digits and _ only')
    }
    if (checkPrefix && (key.charCodeAt(0) | 0x20) === 0x73 && key.slice(0, 7).toUpperCase() === SECRET_PREFIX) {
      report('already-prefixed', 'warning', line, key,
        `${key} already starts with ${SECRET_PREFIX}, so it becomes ${SECRET_PREFIX}${key}: ` +
        `drop the prefix in the input`)
    }
    if (commentStart === valueEnd && cutAtHash(t, quote, valueEnd, commentStart)) {
      report('hash-in-value', 'warning', line, key,
        `the value of ${key} has a # with no space before it: dotenv cuts the value there and the ` +
        'rest is left out, while docker compose keeps it: quote the value')
    }
    let first = valueStart
    let open = t.charCodeAt(first)
    if (open <= 0x20 || open >= 0xa0) {
      first = Math.min(skipSpace(t, first), valueEnd)
      open = t.charCodeAt(first)
    }
    if (first === valueEnd || (open !== 0x22 && open !== 0x27 && open !== 0x60)) return
    // A value dotenv read as quoted has nothing to say about its quotes; only backslashes in a
    // double-quoted one remain to be looked at.
    const backslashes = open === 0x22 && hasBackslash(first, valueEnd)
    if (quote !== 0 && !backslashes) return
    // The value as dotenv captured it, trimmed, is t[first, end); its `stripQuotes`, which on one
    // line can only drop a pair of quotes around all of it, is `inner`.
    let end = valueEnd
    let last = t.charCodeAt(end - 1)
    while (end > first && (last <= 0x20 || last >= 0xa0) && isSpace(last)) last = t.charCodeAt(--end - 1)
    const inner = multiline ? stripQuotes(t.slice(first, end)) : undefined
    const quotesKept = inner === undefined ? end - first < 2 || last !== open : inner.length === end - first
    if (quote === 0 && quotesKept) {
      // Another quote of the opening kind in the value? The scanner found the first one after it.
      if (nextQuote !== -1 && nextQuote < end) {
        report('text-after-quote', 'warning', line, key,
          `the value of ${key} has text after its closing quote, so dotenv keeps the quotes in the ` +
          'value: put everything inside the quotes')
      } else {
        report('unterminated-quote', 'warning', line, key, unterminatedQuote(key))
      }
    }
    if (backslashes && /\\(?![nr])/.test(inner ?? (quotesKept ? t.slice(first, end) : t.slice(first + 1, end - 1)))) {
      report('literal-escape', 'warning', line, key,
        `the double-quoted value of ${key} has a backslash escape other than \\n or \\r, which ` +
        'dotenv keeps as it is (backslash included): write the character itself')
    }
  }
}

/** The message of the `unterminated-quote` warning (also given by the fast path, plain.ts). */
export function unterminatedQuote(key: string): string {
  return `the value of ${key} opens a quote that is never closed, so dotenv keeps the quote in the ` +
    'value and reads only this line: close the quote'
}

function ignoredLine(piece: string, line: number, report: Report): void {
  if (isBareName(piece)) {
    report('bare-name', 'warning', line, undefined,
      'a name without `=` and value: dotenv ignores the line, so it is left out: add `=` and a value')
  } else {
    report('ignored-line', 'warning', line, undefined,
      'dotenv does not read this line (not KEY=VALUE, a comment or blank), so it is left out: ' +
      'fix it or comment it out')
  }
}
