import { encodeValue, isStrictBase64 } from './base64.js'
import type { Diagnostic, Report } from './diagnostics.js'
import { collector, hasErrors } from './diagnostics.js'
import { isBareName, isSpace, scan, stripQuotes, type ScannedEntry } from './scan.js'
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

  const eol = lineEnding(source)
  const { text: t, entries: scanned } = scan(source)
  const lineOf = entryLines(t, scanned)
  let lines: ReturnType<typeof lineIndex> | undefined

  // Which definitions are kept: dotenv keeps the last one of each name. `latest` maps each
  // upper-cased name to the index of its latest definition so far.
  const kept = new Uint8Array(scanned.length)
  const latest = new Map<string, number>()
  const dropped: number[] = []
  scanned.forEach((e, i) => {
    if (e.key === '__proto__') {
      report('ignored-name', 'warning', lineOf[i], e.key,
        'dotenv ignores the name __proto__, so it is left out: rename it')
      return
    }
    const upper = hasLowerCase(e.key) ? e.key.toUpperCase() : e.key
    const before = latest.get(upper)
    latest.set(upper, i)
    kept[i] = 1
    if (before === undefined) return
    const other = scanned[before] as ScannedEntry
    if (other.key !== e.key) {
      report('case-collision', 'error', lineOf[i], e.key,
        `${e.key} and ${other.key} (line ${lineOf[before]}) are one secret to Kestra, ` +
        'which upper-cases names, and it would lose one of them: rename one')
    } else if (!options.allowDuplicates) {
      report('duplicate', 'error', lineOf[i], e.key,
        `${e.key} is already defined on line ${lineOf[before]}; dotenv keeps the last ` +
        'and kubectl rejects the file: remove one, or pass --allow-duplicates to keep the last')
    }
    kept[before] = 0
    dropped.push(before)
  })
  if (options.allowDuplicates) {
    for (const i of dropped) {
      const e = scanned[i] as ScannedEntry
      const last = latest.get(e.key.toUpperCase()) as number
      if ((scanned[last] as ScannedEntry).key !== e.key) continue
      report('duplicate', 'warning', lineOf[i], e.key,
        `${e.key} is defined again on line ${lineOf[last]}; this definition is left ` +
        'out and the last one is kept, as dotenv does')
    }
  }

  let keptCount = 0
  let allEncoded = true
  scanned.forEach((e, i) => {
    if (kept[i] === 0) return
    keptCount++
    if (allEncoded && !(e.key.startsWith(SECRET_PREFIX) && isStrictBase64(e.value))) allEncoded = false
  })
  const looksEncoded = keptCount > 0 && allEncoded
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

  scanned.forEach((e, i) => {
    if (kept[i] === 1) checkEntry(t, e, lineOf[i] as number, !looksEncoded, report)
  })

  // The output, rebuilt line by line: the entries from their values, everything between them from
  // the source text.
  const items: OutputItem[] = []
  const entries: EncodedEntry[] = []
  let cursor = 0
  // The text between two entries, line by line: blank lines and comments are kept, anything else
  // is a line dotenv does not read. Space around an entry on its own lines is not kept.
  const gap = (from: number, to: number): void => {
    let start = from
    for (;;) {
      let end = start
      while (end < to && t.charCodeAt(end) !== 0x0a) end++
      const startsAfterEntry = start === from && from > 0 && t.charCodeAt(from - 1) !== 0x0a
      const endsBeforeEntry = end === to && to < t.length
      let first = start
      while (first < end && isSpace(t.charCodeAt(first))) first++
      if (first === end) {
        const lastEmpty = end === to && to === t.length && start === end
        if (!startsAfterEntry && !endsBeforeEntry && !lastEmpty) items.push(BLANK)
      } else if (t.charCodeAt(first) === 0x23 && !startsAfterEntry) {
        // A BOM in the indentation is space to dotenv but not to kubectl, which then reads the
        // line as a key: indentation keeps only what every reader takes for space.
        const indent = t.slice(start, first).replace(/\uFEFF/g, '')
        items.push({ kind: 'comment', text: indent + safeComment(t.slice(first, end)).trimEnd() })
      } else {
        lines ??= lineIndex(t)
        ignoredLine(t.slice(start, end), lines.lineAt(start), report)
      }
      if (end === to) break
      start = end + 1
    }
  }
  scanned.forEach((e, i) => {
    gap(cursor, e.start)
    // The entry's own text ends at its last non-space character: with `KEY:` the space after the
    // colon may be a line break, and what follows it belongs to the next lines.
    cursor = e.valueEnd
    while (cursor > e.start && isSpace(t.charCodeAt(cursor - 1))) cursor--
    const cs = e.commentStart
    if (cs !== undefined && !hasLineFeed(t, cursor, cs)) {
      // A `#` right after the value (no space before it) may well be part of a secret: the
      // hash-in-value warning says so, and that text is not copied into the output.
      if (!cutAtHash(t, e)) items.push({ kind: 'comment', text: t.slice(cs, e.matchEnd).trimEnd() })
      cursor = e.matchEnd
    }
    if (kept[i] === 0) return
    const variable = SECRET_PREFIX + e.key
    const entry: EncodedEntry = { name: e.key, variable, encoded: encodeValue(e.value), line: lineOf[i] as number }
    entries.push(entry)
    items.push({ kind: 'entry', entry })
  })
  gap(cursor, t.length)

  if (entries.length === 0 && !hasErrors(diagnostics)) {
    report('no-entries', 'warning', undefined, undefined,
      'no KEY=VALUE entries found: the output holds no secret')
  }
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  if (hasErrors(diagnostics)) return { ok: false, text: '', items: [], eol, entries: [], diagnostics }
  return { ok: true, text: renderEnv(items, eol), items, eol, entries, diagnostics }
}

/** The `.env_encoded` form: one `SECRET_<NAME>=<base64>` per line, comments and blanks in place. */
export function renderEnv(items: readonly OutputItem[], eol: '\n' | '\r\n' = '\n'): string {
  const parts: string[] = []
  for (let k = 0; k < items.length; k++) {
    const i = items[k] as OutputItem
    if (i.kind === 'blank') {
      // A run of blank lines is one string: a file of half a million blank lines stays fast.
      let last = k
      while (items[last + 1]?.kind === 'blank') last++
      parts.push(eol.repeat(last - k + 1))
      k = last
    } else {
      parts.push(i.kind === 'entry' ? `${i.entry.variable}=${i.entry.encoded}${eol}` : `${i.text}${eol}`)
    }
  }
  return parts.join('')
}

/** CRLF when the first line break is CRLF, LF otherwise (lone CR files are written with LF). */
function lineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n')
  return lf > 0 && source.charCodeAt(lf - 1) === 0x0d ? '\r\n' : '\n'
}

/** dotenv ended an unquoted value at a `#` with no space before it (compose would not). */
function cutAtHash(t: string, e: ScannedEntry): boolean {
  return e.quote === undefined && e.commentStart === e.valueEnd && !isSpace(t.charCodeAt(e.valueEnd - 1))
}

// Searches bounded by hand: indexOf cannot stop at `to`, and running on past it for every entry
// is quadratic on inputs whose entries share a line (values separated by U+2028).
function hasBackslash(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (t.charCodeAt(i) === 0x5c) return true
  return false
}

function hasLineFeed(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (t.charCodeAt(i) === 0x0a) return true
  return false
}

/** Whether upper-casing would change the name (most names are upper case already). */
function hasLowerCase(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c >= 0x61 && c <= 0x7a) return true
  }
  return false
}

/** The 1-based line of each entry's name, counted in one pass (entries are in source order). */
function entryLines(t: string, entries: readonly ScannedEntry[]): Int32Array {
  const out = new Int32Array(entries.length)
  let line = 1
  // The next line feed not yet counted: each indexOf starts past the last one, so the whole text
  // is searched once, however many entries share a line.
  let lf = t.indexOf('\n')
  entries.forEach((e, i) => {
    while (lf !== -1 && lf < e.start) {
      line++
      lf = t.indexOf('\n', lf + 1)
    }
    out[i] = line
  })
  return out
}

/**
 * dotenv also ends lines at U+2028 and U+2029; inside a kept comment they would let the rest of
 * the comment be read as an entry, so they become spaces there.
 */
function safeComment(text: string): string {
  return /[\u2028\u2029]/.test(text) ? text.replace(/[\u2028\u2029]/g, ' ') : text
}

function checkEntry(t: string, e: ScannedEntry, line: number, checkPrefix: boolean, report: Report): void {
  const key = e.key
  if (key.includes('.') || key.includes('-')) {
    report('name-not-portable', 'warning', line, key,
      `${SECRET_PREFIX}${key} is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*), so ` +
      '`set -a; . file` cannot load it: use letters, digits and _ only')
  }
  if (checkPrefix && (key.charCodeAt(0) | 0x20) === 0x73 && key.slice(0, 7).toUpperCase() === SECRET_PREFIX) {
    report('already-prefixed', 'warning', line, key,
      `${key} already starts with ${SECRET_PREFIX}, so it becomes ${SECRET_PREFIX}${key}: ` +
      `drop the prefix in the input`)
  }
  if (cutAtHash(t, e)) {
    report('hash-in-value', 'warning', line, key,
      `the value of ${key} has a # with no space before it: dotenv cuts the value there and the ` +
      'rest is left out, while docker compose keeps it: quote the value')
  }
  let first = e.valueStart
  while (first < e.valueEnd && isSpace(t.charCodeAt(first))) first++
  const open = t.charCodeAt(first)
  if (first === e.valueEnd || (open !== 0x22 && open !== 0x27 && open !== 0x60)) return
  // A value dotenv read as quoted has nothing to say about its quotes; only backslashes in a
  // double-quoted one remain to be looked at.
  if (e.quote !== undefined && (open !== 0x22 || !hasBackslash(t, first, e.valueEnd))) return
  const raw = t.slice(first, e.valueEnd).trim()
  const inner = stripQuotes(raw)
  if (e.quote === undefined && inner.length === raw.length) {
    if (raw.indexOf(raw[0] as string, 1) !== -1) {
      report('text-after-quote', 'warning', line, key,
        `the value of ${key} has text after its closing quote, so dotenv keeps the quotes in the ` +
        'value: put everything inside the quotes')
    } else {
      report('unterminated-quote', 'warning', line, key,
        `the value of ${key} opens a quote that is never closed, so dotenv keeps the quote in the ` +
        'value and reads only this line: close the quote')
    }
  }
  if (open === 0x22 && /\\(?![nr])/.test(inner)) {
    report('literal-escape', 'warning', line, key,
      `the double-quoted value of ${key} has a backslash escape other than \\n or \\r, which ` +
      'dotenv keeps as it is (backslash included): write the character itself')
  }
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
