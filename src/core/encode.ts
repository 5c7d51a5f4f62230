import { encodeValue, encodeValues, isStrictBase64 } from './base64.js'
import type { Diagnostic, Report } from './diagnostics.js'
import { binaryDiagnostic, collector, hasErrors, NO_ENTRIES_MESSAGE, sortByLine } from './diagnostics.js'
import { expandable, expandValues, reportReferences } from './expand.js'
import { decodeKestraValue, hasPrefixInAnyCase, SECRET_PREFIX } from './kestra.js'
import { hasShellUnsafeCharacters, repeatedNames, shellUnsafeMessage } from './names.js'
import { scan, type CommentLine, type Entry, type SkippedLine } from './scan.js'

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

/**
 * Encodes a `.env` text for Kestra: every entry dotenv reads becomes `SECRET_<NAME>=<base64>`,
 * comments and blank lines stay where they are, an inline comment moves to its own line above its
 * entry, and the input's line ending style is kept.
 */
export function encodeEnv(source: string, options: EncodeOptions = {}): EncodeResult {
  const { diagnostics, report } = collector()
  const binary = binaryDiagnostic(source, 'a .env file')
  if (binary !== undefined) return { ok: false, text: '', items: [], eol: '\n', entries: [], diagnostics: [binary] }

  const { text: t, eol, entries, items: scanned } = scan(source)
  const dropped = droppedEntries(entries, options, report)
  // As check demands: a plain word can be valid base64 (hunter22), but rarely decodes to UTF-8 text.
  const looksEncoded = entries.some((_, i) => !dropped.has(i)) &&
    entries.every((e, i) => dropped.has(i) || (e.key.startsWith(SECRET_PREFIX) && isStrictBase64(e.value) && decodesToText(e.value)))
  if (looksEncoded) {
    report('already-encoded', options.force ? 'warning' : 'error', undefined, undefined, options.force
      ? 'every name starts with SECRET_ and every value is base64: encoding it again, as asked'
      : 'this looks encoded already (every name starts with SECRET_ and every value is base64): decode it instead')
  }

  // The output, rebuilt item by item: the entries from their values, comments from the source
  // text, and rendered in the env format along the way.
  const items: OutputItem[] = []
  const written: EncodedEntry[] = []
  const lines = new OutputLines(eol)
  const comment = (text: string): void => {
    items.push({ kind: 'comment', text })
    lines.add(text)
  }
  const env = options.env ?? {}
  const values = options.expand ? expandValues(entries.map(expandable), env, report) : entries.map((e) => e.value)
  const encoded = encodeValues(values)
  const portable = !entries.some((e) => hasShellUnsafeCharacters(e.key))
  // The names of the file, for the messages about references: made only when a value has one.
  let names: Set<string> | undefined
  const definedElsewhere = (name: string): boolean => {
    names ??= new Set(entries.map((e) => e.key))
    return names.has(name) || env[name] !== undefined
  }
  let index = 0
  for (const item of scanned) {
    switch (item.kind) {
      case 'blank':
        for (let k = 0; k < item.count; k++) items.push(BLANK)
        lines.blank(item.count)
        break
      case 'comment':
        if (item.assignment === undefined) {
          comment(commentText(t, item))
        } else {
          // A value the user only disabled is still a secret: never copied in plain text.
          const { key, value } = item.assignment
          comment(`# ${SECRET_PREFIX}${key}=${encodeValue(value)}`)
          report('commented-entry', 'note', item.line, key,
            `${key} is commented out: it is written as a commented-out encoded entry, # ${SECRET_PREFIX}${key}=<base64>`)
        }
        break
      case 'skipped':
        reportSkipped(item, report)
        break
      case 'entry': {
        const i = index++
        // Text that dotenv cut from the value at a `#` may be part of a secret: never copied.
        if (item.comment !== undefined && !item.hashCut) comment(t.slice(item.comment.start, item.comment.end))
        if (dropped.has(i)) break
        checkEntry(item, !looksEncoded, portable, report)
        if (!options.expand && item.value.includes('$')) reportReferences(expandable(item), definedElsewhere, report)
        const entry: EncodedEntry = { name: item.key, variable: SECRET_PREFIX + item.key, encoded: encoded[i] as string, line: item.line }
        written.push(entry)
        items.push({ kind: 'entry', entry })
        lines.add(entry.variable + '=' + entry.encoded)
      }
    }
  }

  if (written.length === 0 && !hasErrors(diagnostics)) {
    report('no-entries', 'warning', undefined, undefined, NO_ENTRIES_MESSAGE)
  }
  sortByLine(diagnostics)
  if (hasErrors(diagnostics)) return { ok: false, text: '', items: [], eol, entries: [], diagnostics }
  return { ok: true, text: lines.text(), items, eol, entries: written, diagnostics }
}

/**
 * The indices of the definitions left out: dotenv keeps the last one of each name, and drops
 * `__proto__`; Kestra upper-cases names, so two that differ only in case are one secret, and an
 * error. A name defined twice is an error too, unless `allowDuplicates`.
 */
function droppedEntries(entries: readonly Entry[], options: EncodeOptions, report: Report): Set<number> {
  const dropped = new Set<number>()
  const names = entries.map((e, i) => {
    if (e.key !== '__proto__') return e.key
    report('ignored-name', 'warning', e.line, '__proto__', 'dotenv ignores the name __proto__, so it is left out: rename it')
    dropped.add(i)
    return undefined
  })
  const repeats = repeatedNames(names)
  for (const { index, earlier, sameCase } of repeats) {
    const e = entries[index] as Entry
    const other = entries[earlier] as Entry
    if (!sameCase) {
      report('case-collision', 'error', e.line, e.key,
        `${e.key} and ${other.key} (line ${other.line}) are one secret to Kestra, ` +
        'which upper-cases names, and it would lose one of them: rename one')
    } else if (!options.allowDuplicates) {
      report('duplicate', 'error', e.line, e.key,
        `${e.key} is already defined on line ${other.line}; dotenv keeps the last and kubectl rejects the file: remove one`)
    }
    dropped.add(earlier)
  }
  if (options.allowDuplicates) {
    // Each left-out definition, with the line of the one that is kept.
    const last = new Map<string, Entry>()
    for (const e of entries) if (e.key !== '__proto__') last.set(e.key.toUpperCase(), e)
    for (const { earlier } of repeats) {
      const e = entries[earlier] as Entry
      const kept = last.get(e.key.toUpperCase()) as Entry
      if (kept.key !== e.key) continue
      report('duplicate', 'warning', e.line, e.key,
        `${e.key} is defined again on line ${kept.line}; this definition is left out and the last one is kept, as dotenv does`)
    }
  }
  return dropped
}

function decodesToText(value: string): boolean {
  const decoded = decodeKestraValue(value)
  return decoded.ok && decoded.utf8
}

/** The warnings about one entry that is written. */
function checkEntry(e: Entry, checkPrefix: boolean, portable: boolean, report: Report): void {
  const key = e.key
  if (!portable && hasShellUnsafeCharacters(key)) {
    report('name-not-portable', 'warning', e.line, key, shellUnsafeMessage(SECRET_PREFIX + key))
  }
  if (checkPrefix && hasPrefixInAnyCase(key)) {
    report('already-prefixed', 'warning', e.line, key,
      `${key} already starts with ${SECRET_PREFIX}, so it becomes ${SECRET_PREFIX}${key}: drop the prefix in the input`)
  }
  if (e.hashCut) {
    report('hash-in-value', 'warning', e.line, key,
      `the value of ${key} has a # with no space before it: dotenv cuts the value there and the ` +
      'rest is left out, while docker compose keeps it: quote the value')
  }
  if (e.quoteState === 'text-after') {
    report('text-after-quote', 'warning', e.line, key,
      `the value of ${key} has text after its closing quote, so dotenv keeps the quotes in the ` +
      'value: put everything inside the quotes')
  } else if (e.quoteState === 'unterminated') {
    report('unterminated-quote', 'warning', e.line, key,
      `the value of ${key} opens a quote that is never closed, so dotenv keeps the quote in the ` +
      'value and reads only this line: close the quote')
  }
  if (e.literalEscape) {
    report('literal-escape', 'warning', e.line, key,
      `the double-quoted value of ${key} has a backslash escape other than \\n or \\r, which ` +
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
  return indent + (/[\u2028\u2029]/.test(body) ? body.replace(/[\u2028\u2029]/g, ' ') : body).trimEnd()
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

/** The `.env_encoded` form: one `SECRET_<NAME>=<base64>` per line, comments and blanks in place. */
export function renderEnv(items: readonly OutputItem[], eol: '\n' | '\r\n' = '\n'): string {
  const lines = new OutputLines(eol)
  for (const i of items) {
    if (i.kind === 'entry') lines.add(i.entry.variable + '=' + i.entry.encoded)
    else if (i.kind === 'comment') lines.add(i.text)
    else lines.blank(1)
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

  blank(count: number): void {
    this.blanks += count
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
