import { encodeValue, isStrictBase64 } from './base64.js'
import type { Diagnostic, DiagnosticCode } from './diagnostics.js'
import { hasErrors } from './diagnostics.js'
import { isSpace, scan, stripQuotes, type ScannedEntry } from './scan.js'
import { lineIndex } from './lines.js'

export const SECRET_PREFIX = 'SECRET_'

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
  const diagnostics: Diagnostic[] = []
  const report = (code: DiagnosticCode, severity: Diagnostic['severity'], line: number | undefined,
    key: string | undefined, message: string): void => {
    const d: Diagnostic = { code, severity, message }
    if (line !== undefined) d.line = line
    if (key !== undefined) d.key = key
    diagnostics.push(d)
  }

  const nul = source.indexOf('\0')
  if (nul !== -1) {
    const line = lineIndex(source).lineAt(nul)
    report('binary', 'error', line, undefined,
      'contains a NUL byte: this looks like a binary file, not a .env file')
    return { ok: false, text: '', items: [], eol: '\n', entries: [], diagnostics }
  }

  const eol = lineEnding(source)
  const { text: t, entries: scanned } = scan(source)
  const lines = lineIndex(t)

  // Which definitions are kept: dotenv keeps the last one of each name.
  const lastByName = new Map<string, number>()
  const firstByUpper = new Map<string, ScannedEntry>()
  scanned.forEach((e, i) => lastByName.set(e.key, i))
  const kept = new Set<number>()
  scanned.forEach((e, i) => {
    const line = lines.lineAt(e.start)
    if (e.key === '__proto__') {
      report('ignored-name', 'warning', line, e.key,
        'dotenv ignores the name __proto__, so it is left out: rename it')
      return
    }
    const upper = e.key.toUpperCase()
    const first = firstByUpper.get(upper)
    if (first === undefined) {
      firstByUpper.set(upper, e)
    } else if (first.key !== e.key) {
      report('case-collision', 'error', line, e.key,
        `${e.key} and ${first.key} (line ${lines.lineAt(first.start)}) are one secret to Kestra, ` +
        'which upper-cases names, and it would lose one of them: rename one')
    } else if (!options.allowDuplicates) {
      report('duplicate', 'error', line, e.key,
        `${e.key} is already defined on line ${lines.lineAt(first.start)}; dotenv keeps the last ` +
        'and kubectl rejects the file: remove one, or pass --allow-duplicates to keep the last')
    }
    if (lastByName.get(e.key) === i) {
      kept.add(i)
    } else if (options.allowDuplicates) {
      const last = scanned[lastByName.get(e.key) as number] as ScannedEntry
      report('duplicate', 'warning', line, e.key,
        `${e.key} is defined again on line ${lines.lineAt(last.start)}; this definition is left ` +
        'out and the last one is kept, as dotenv does')
    }
  })

  const keptEntries = scanned.filter((_, i) => kept.has(i))
  const looksEncoded = keptEntries.length > 0 &&
    keptEntries.every((e) => e.key.startsWith(SECRET_PREFIX) && isStrictBase64(e.value))
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
    if (!kept.has(i)) return
    checkEntry(t, e, lines.lineAt(e.start), !looksEncoded, report)
  })

  // The output, rebuilt line by line: the entries from their values, everything between them from
  // the source text.
  const items: OutputItem[] = []
  const entries: EncodedEntry[] = []
  let cursor = 0
  const gap = (from: number, to: number): void => {
    const pieces = t.slice(from, to).split('\n')
    let line = lines.lineAt(from)
    const last = pieces.length - 1
    pieces.forEach((piece, k) => {
      const startsAfterEntry = k === 0 && from > 0 && t.charCodeAt(from - 1) !== 0x0a
      const endsBeforeEntry = k === last && to < t.length
      const atEnd = k === last && to === t.length
      const trimmed = piece.trim()
      if (trimmed === '') {
        // A blank line of its own is kept; space around an entry is not.
        if (!startsAfterEntry && !endsBeforeEntry && !(atEnd && piece === '')) items.push({ kind: 'blank' })
      } else if (trimmed.charCodeAt(0) === 0x23 && !startsAfterEntry) {
        const text = line === 1 && from === 0 && k === 0 ? piece.replace(/^\uFEFF/, '') : piece
        items.push({ kind: 'comment', text: text.trimEnd() })
      } else {
        ignoredLine(piece, line, report)
      }
      line++
    })
  }
  scanned.forEach((e, i) => {
    gap(cursor, e.start)
    cursor = e.valueEnd
    const inline = e.commentStart !== undefined && !t.slice(e.valueEnd, e.commentStart).includes('\n')
    if (inline) {
      // A `#` right after the value (no space before it) may well be part of a secret: the
      // hash-in-value warning says so, and that text is not copied into the output.
      if (!cutAtHash(t, e)) items.push({ kind: 'comment', text: t.slice(e.commentStart, e.matchEnd).trimEnd() })
      cursor = e.matchEnd
    }
    if (!kept.has(i)) return
    const variable = SECRET_PREFIX + e.key
    const encoded = encodeValue(e.value)
    const entry: EncodedEntry = { name: e.key, variable, encoded, line: lines.lineAt(e.start) }
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
  if (items.length === 0) return ''
  return items.map((i) => (i.kind === 'entry' ? `${i.entry.variable}=${i.entry.encoded}` : i.kind === 'comment' ? i.text : '')).join(eol) + eol
}

type Report = (code: DiagnosticCode, severity: Diagnostic['severity'], line: number | undefined,
  key: string | undefined, message: string) => void

/** CRLF when the first line break is CRLF, LF otherwise (lone CR files are written with LF). */
function lineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n')
  return lf > 0 && source.charCodeAt(lf - 1) === 0x0d ? '\r\n' : '\n'
}

/** dotenv ended an unquoted value at a `#` with no space before it (compose would not). */
function cutAtHash(t: string, e: ScannedEntry): boolean {
  return e.quote === undefined && e.commentStart === e.valueEnd &&
    (e.valueEnd === e.valueStart || !isSpace(t.charCodeAt(e.valueEnd - 1)))
}

function checkEntry(t: string, e: ScannedEntry, line: number, checkPrefix: boolean, report: Report): void {
  const key = e.key
  if (/[.-]/.test(key)) {
    report('name-not-portable', 'warning', line, key,
      `${SECRET_PREFIX}${key} is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*), so ` +
      '`set -a; . file` cannot load it: use letters, digits and _ only')
  }
  if (checkPrefix && key.toUpperCase().startsWith(SECRET_PREFIX)) {
    report('already-prefixed', 'warning', line, key,
      `${key} already starts with ${SECRET_PREFIX}, so it becomes ${SECRET_PREFIX}${key}: ` +
      `drop the prefix in the input`)
  }
  if (cutAtHash(t, e)) {
    report('hash-in-value', 'warning', line, key,
      `the value of ${key} has a # with no space before it: dotenv cuts the value there and the ` +
      'rest is left out, while docker compose keeps it: quote the value')
  }
  const raw = t.slice(e.valueStart, e.valueEnd).trim()
  const open = raw.charCodeAt(0)
  const inner = stripQuotes(raw)
  if (e.quote === undefined && (open === 0x22 || open === 0x27 || open === 0x60) && inner.length === raw.length) {
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
  if (/^\s*(?:export\s+)?[\w.-]+\s*$/.test(piece)) {
    report('bare-name', 'warning', line, undefined,
      'a name without `=` and value: dotenv ignores the line, so it is left out: add `=` and a value')
  } else {
    report('ignored-line', 'warning', line, undefined,
      'dotenv does not read this line (not KEY=VALUE, a comment or blank), so it is left out: ' +
      'fix it or comment it out')
  }
}
