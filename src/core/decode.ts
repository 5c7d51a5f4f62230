import type { Diagnostic, Report } from './diagnostics.js'
import { grown, pushAll, TextChunks } from './arrays.js'
import { collector, hasErrors, NO_ENTRIES_MESSAGE, sortByLine, unreadableText } from './diagnostics.js'
import { readDocument, readEncodedItems } from './read-encoded.js'
import type { CommentLine } from './scan.js'
import { DOCUMENT_WORDS, type DocumentFormat, type FormattedDocument } from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import { encodingHint, hasPrefixInAnyCase, isSecret, readKestraValue, SECRET_PREFIX, undecodable, type EncodedVariable } from './kestra.js'
import { displayName, isEnvName, NamePlaces, Repeats } from './names.js'
import { Expander } from './expand.js'
import { dependsOnLaterLines, quoteValue } from './quote.js'
import { BLANK_COMMENT, commentQuote, isIgnoredName, keyStart, lineEnding, NO_QUOTE, normaliseLineEnds, quoteOnNextComment, scan, scanEntries, unicodeLineEndsAsSpaces } from './scan.js'

/** One entry of the encoded file and what became of it. */
export interface DecodedEntry {
  /** The variable in the input (`SECRET_DB_PASSWORD`). */
  variable: string
  /** The name written (`DB_PASSWORD`); the variable itself when it was kept as it was. */
  name: string
  /** The value written, decoded (or kept, for an entry without the prefix). */
  value: string
  /** 1-based line of the name in the input. */
  line: number
  /** False for an entry kept as it was (no `SECRET_` prefix, or nothing after it). */
  decoded: boolean
}

export interface DecodeResult {
  /** True when there is no error: `text` is then the whole output. */
  ok: boolean
  /** What the input was read as: an encoded .env file, or a format of `encode --format`. */
  format: 'env' | DocumentFormat
  /** The plain `.env`; empty when `ok` is false. */
  text: string
  /** The input's line ending, used for the output too. */
  eol: '\n' | '\r\n'
  /** Every entry, in order; empty when `ok` is false. */
  entries: DecodedEntry[]
  diagnostics: Diagnostic[]
}

export interface DecodeOptions {
  /**
   * The `yaml` package (`await import('yaml')`), to read the YAML formats of `encode --format`
   * (Helm values, a Secret manifest). Without it, only .env files and JSON are read.
   */
  yaml?: YamlModule
  /** Expand `${VAR}` and `$VAR` in the decoded values, from the earlier entries and then `env` (see expand.ts). */
  expand?: boolean
  env?: Readonly<Record<string, string | undefined>>
}

/** What one variable becomes (see decodeVariable). */
interface Decoded {
  /** The name written; undefined for a variable kept as it is, or left out. */
  name: string | undefined
  value: string | undefined
  /** The value as written after `NAME=`; undefined after an error. */
  written: string | undefined
  /** A secret left out of the output: `SECRET___proto__`, whose name dotenv ignores. */
  leftOut: boolean
}

function expansion(options: DecodeOptions, names: Iterable<string>): Expander | undefined {
  return options.expand ? new Expander(options.env ?? {}, new Set(names)) : undefined
}

/** The name of a secret whose value decoded, which a reference may name. */
function decodedName(d: Decoded): string | undefined {
  return d.value === undefined ? undefined : d.name
}

/** A decoded secret's value expanded (a value decoded from base64 has no quotes, so none is literal). */
function expandDecoded(d: Decoded, v: EncodedVariable, x: Expander, report: Report): void {
  const name = decodedName(d)
  if (name === undefined || d.value === undefined) return
  const value = x.expand({ key: name, value: d.value, line: v.line, literal: false }, report)
  if (value === d.value) return
  d.value = value
  d.written = quoteValue(value)
  if (d.written === undefined) unwritable(v, report)
}

/** Every variable decoded, in order, and with `expand` the values expanded. */
function decodeAll(variables: readonly EncodedVariable[], place: string, options: DecodeOptions, report: Report): Decoded[] {
  const decoded = variables.map((v) => decodeVariable(v, place, report))
  const x = expansion(options, decoded.flatMap((d) => decodedName(d) ?? []))
  if (x !== undefined) decoded.forEach((d, i) => expandDecoded(d, variables[i] as EncodedVariable, x, report))
  return decoded
}

/**
 * Turns an encoded file back into a plain `.env`: `SECRET_<NAME>=<base64>` becomes
 * `<NAME>=<value>` with the value decoded by Kestra's rules and written so that `dotenv.parse()`
 * reads it back exactly; comments, blank lines, other lines and the line ending style stay as they
 * are. Entries without the prefix are kept as they are, with a warning.
 *
 * Every format of `encode --format` is read too, recognised from its content (see `readFormatted`):
 * its entries become a plain `.env` in document order, with the YAML comments around them as
 * `#` comments.
 */
export function decodeEnv(source: string, options: DecodeOptions = {}): DecodeResult {
  const { secrets: _, ...result } = decodeInput(source, options, true)
  return result
}

/** What decodeEnv gives, without its list of entries: `secrets` counts the entries decoded. */
export type DecodedText = Omit<DecodeResult, 'entries'> & { secrets: number }

/**
 * decodeEnv for a caller that only writes the text (the CLI): the same reading and checks, with no
 * object kept per entry (at 1,000,000 entries the list is 200 MB of the peak).
 */
export function decodeText(source: string, options: DecodeOptions = {}): DecodedText {
  const { entries: _, ...result } = decodeInput(source, options, false)
  return result
}

type Outcome = DecodeResult & { secrets: number }

/** `keep`: whether the result lists the entries. */
function decodeInput(source: string, options: DecodeOptions, keep: boolean): Outcome {
  const unreadable = unreadableText(source, 'an encoded .env file')
  if (unreadable !== undefined) return { ok: false, format: 'env', text: '', eol: '\n', entries: [], secrets: 0, diagnostics: [unreadable] }
  const document = readDocument(source, options.yaml, { comments: true })
  if (document !== undefined) return decodeDocument(document.format, document, lineEnding(source), options)
  return decodeEnvFile(source, options, keep)
}

const PLACE = 'an env file'

/**
 * An encoded .env file decoded in one pass, item by item, keeping only what the result holds:
 * the text between entries as it is, but for the edits (the continuation lines of wrapped values
 * go, commented-out encoded entries are decoded), each entry rewritten or copied.
 */
function decodeEnvFile(source: string, options: DecodeOptions, keep: boolean): Outcome {
  const { diagnostics, report } = collector()
  const t = normaliseLineEnds(source)
  // A reference's message may show the names of the file's secrets: with expand, read them first.
  const x = expansion(options, options.expand ? secretNames(t) : [])
  const written = new WrittenEntries(t)
  const chunks: string[] = []
  const out = new TextChunks((chunk) => chunks.push(chunk))
  let cursor = 0
  // The edits in the text not yet copied, in order: all of them lie before the next entry.
  let edits: TextEdit[] = []
  const copyTo = (to: number): void => {
    let at = cursor
    for (const e of edits) {
      out.push(t.slice(at, e.start))
      out.push(e.text)
      at = e.end
    }
    edits = []
    out.push(t.slice(at, to))
  }
  readEncodedItems(t, (item) => {
    switch (item.kind) {
      case 'blank':
        return
      case 'skipped':
        report('ignored-line', 'warning', item.line, undefined, item.bareName
          ? 'a name without `=` and value, which dotenv does not read: it is kept as it is'
          : 'dotenv does not read this line (not KEY=VALUE, a comment or blank): it is kept as it is')
        return
      case 'comment': {
        const text = item.assignment === undefined ? undefined : decodedComment(item.assignment, quoteOnNextComment(t, item.end))
        if (text === undefined) return
        edits.push({ start: item.hash, end: item.end, text })
        const key = (item.assignment as NonNullable<CommentLine['assignment']>).key
        report('commented-entry', 'note', item.line, displayName(key), `${displayName(key)} is a commented-out encoded entry: it is decoded, still commented out`)
        return
      }
    }
    const e = item.entry
    copyTo(e.start)
    const variableStart = keyStart(t, e)
    const variable = e.key
    const decoded = decodeVariable(item, PLACE, report)
    if (decoded.leftOut) {
      // Its line goes, but for a comment after the value, which stays where it was (as encode
      // keeps it); the lines of a wrapped value go with it. (dotenv's match may run on over the
      // comment lines after it: the line ends at the first line break after its own text.)
      let end = t.indexOf('\n', e.comment?.end ?? e.textEnd)
      if (end === -1) end = t.length
      if (e.comment !== undefined && !e.hashCut) {
        out.push(t.slice(e.comment.start, e.comment.end))
        cursor = end
      } else {
        cursor = end === t.length ? end : end + 1
      }
      if (item.continuation !== undefined) edits.push({ start: item.continuation.start, end: item.continuation.end, text: '' })
      return
    }
    if (x !== undefined) expandDecoded(decoded, item, x, report)
    if (item.continuation !== undefined && isSecret(variable)) {
      report('wrapped-value', 'warning', e.line, displayName(variable),
        `the value of ${displayName(variable)} is wrapped over ${item.continuation.lines + 1} lines (as the base64 ` +
        'command does): they are joined here, but docker compose and kubectl read only the first line')
    }
    if (decoded.name === undefined) {
      out.push(t.slice(e.start, e.valueEnd))
      cursor = e.valueEnd
      written.add(variableStart, variable, undefined, e.line, e.value)
    } else {
      let value = decoded.written
      // An empty value followed, across blank lines, by a quote would take that quoted text.
      QUOTE_AFTER_SPACE.lastIndex = e.textEnd
      if (value === '' && QUOTE_AFTER_SPACE.test(t)) value = "''"
      out.push(`${e.exported ? 'export ' : ''}${decoded.name}=${value ?? ''}`)
      cursor = e.textEnd
      written.add(variableStart, variable, decoded.name, e.line, decoded.value)
    }
    if (item.continuation !== undefined) edits.push({ start: item.continuation.start, end: item.continuation.end, text: '' })
  })
  copyTo(t.length)
  if (written.length === 0) {
    report('no-entries', 'warning', undefined, undefined, NO_ENTRIES_MESSAGE)
  }
  out.end()
  return finish('env', chunks.join(''), lineEnding(source), written, keep, diagnostics, report)
}

// After white space (line breaks too), a quote: sticky, from where an entry's text ends.
const QUOTE_AFTER_SPACE = /\s*['"`]/y

/** The names of the secrets that decode, for the messages about references of --expand. */
function secretNames(t: string): string[] {
  const names: string[] = []
  readEncodedItems(t, (item) => {
    if (item.kind !== 'variable') return
    const name = decodedName(decodeVariable(item, PLACE, () => {}))
    if (name !== undefined) names.push(name)
  })
  return names
}

/** A piece of the encoded text that is replaced in the output. */
interface TextEdit {
  start: number
  end: number
  text: string
}

/**
 * `# NAME=value` for a commented-out encoded entry (`# SECRET_NAME=<base64>`, as encode writes
 * it), when its value decodes to text that comment lines can hold; undefined for any other
 * comment. A value written with line feeds (quoted, when no one-line form holds it) goes on over
 * comment lines, `# ` and the rest of it, which encode reads back as that value (see CommentLine).
 */
function decodedComment(assignment: NonNullable<CommentLine['assignment']>, quoteFollows: boolean): string | undefined {
  if (!isSecret(assignment.key)) return undefined
  const name = assignment.key.slice(SECRET_PREFIX.length)
  const decoded = readKestraValue(assignment.value)
  if (!decoded.ok || !decoded.utf8 || decoded.text.includes('\0')) return undefined
  // An empty value before a comment line that starts with a quote would be read from that quote.
  const written = decoded.text === '' && quoteFollows ? "''" : quoteValue(decoded.text)
  // Any other line break would end the comment and turn the rest into an entry; and a quoted
  // form that ends with a backslash would make where the value ends depend on the lines after it,
  // on one line too: encode reads on over the comment lines after `# K='a\'` (see CommentLine).
  if (written === undefined || /[\r\u2028\u2029]/.test(written)) return undefined
  if (dependsOnLaterLines(written)) return undefined
  return `# ${name}=${written.replace(/\n/g, '\n# ')}`
}

/** A formatted document as a plain .env: its entries in order, its comments as `#` lines. */
function decodeDocument(format: DocumentFormat, document: FormattedDocument, eol: '\n' | '\r\n', options: DecodeOptions): Outcome {
  const { diagnostics, report } = collector()
  for (const d of document.diagnostics) diagnostics.push(d)
  const lines: string[] = []
  const blankLine = (): void => {
    if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('')
  }
  if (document.commentBefore !== undefined) {
    pushAll(lines, commentLines(document.commentBefore))
    lines.push('')
  }
  const entries: DecodedEntry[] = []
  // For the checks of the names written: whether each value is known, and the list it is in.
  const details: EntryDetail[] = []
  const decodedAll = decodeAll(document.entries, DOCUMENT_WORDS[format].file, options, report)
  document.entries.forEach((v, index) => {
    if (v.spaceBefore === true) blankLine()
    if (v.commentBefore !== undefined) pushAll(lines, commentLines(v.commentBefore))
    const decoded = decodedAll[index] as Decoded
    if (decoded.leftOut) {
      // Only its comments are written.
      if (v.comment !== undefined) pushAll(lines, commentLines(v.comment))
      return
    }
    const name = decoded.name ?? v.variable
    let written = decoded.written
    if (decoded.name === undefined && isEnvName(v.variable)) {
      // Not a secret, so never encoded: its text is written as it is.
      written = quoteValue(v.encoded)
      if (written === undefined) unwritable(v, report)
    }
    lines.push(`${name}=${written ?? ''}`)
    if (v.comment !== undefined) pushAll(lines, commentLines(v.comment))
    const value = decoded.name === undefined ? v.encoded : decoded.value ?? ''
    entries.push({ variable: v.variable, name, value, line: v.line, decoded: decoded.name !== undefined })
    details.push({ known: decoded.name === undefined || decoded.value !== undefined, list: v.list })
  })
  if (document.comment !== undefined) {
    blankLine()
    pushAll(lines, commentLines(document.comment))
  }
  while (lines[lines.length - 1] === '') lines.pop()
  if (entries.length === 0 && !hasErrors(diagnostics)) {
    report('no-entries', 'warning', undefined, undefined, `no entries found in ${DOCUMENT_WORDS[format].entries}: the output holds no secret`)
  }
  return finish(format, lines.length === 0 ? '' : lines.join('\n') + '\n', eol, listOf(entries, details), true, diagnostics, report)
}


/**
 * A comment block in the yaml library's form as .env lines: `#` and the text, a blank line for an
 * empty line. Line separators (U+2028, U+2029), which end a line for dotenv but not for YAML,
 * become spaces, as encode does with the comments it keeps, so that nothing after them can be
 * read as an entry.
 */
function commentLines(block: string): string[] {
  // The yaml library keeps the CR of a CRLF document's line ends inside its comment blocks.
  const lines = block.split(/\r?\n|\r/)
  return lines.map((line, i) => {
    if (line === '') return ''
    const text = unicodeLineEndsAsSpaces(line).trimEnd()
    if (text.trim() === '') return '#'
    const comment = scan(`#${text}`).items[0]
    const decoded = comment?.kind === 'comment' && comment.assignment !== undefined
      ? decodedComment(comment.assignment, quoteStartsNext(lines, i))
      : undefined
    return decoded ?? `#${text}`
  })
}

/**
 * Whether the next line after line i of a YAML comment block (the text after each `#`) that is not
 * blank starts with a quote, as commentQuote reads the comment lines decode writes of them.
 */
function quoteStartsNext(lines: readonly string[], i: number): boolean {
  for (let j = i + 1; j < lines.length && lines[j] !== ''; j++) {
    const q = commentQuote(`#${unicodeLineEndsAsSpaces(lines[j] as string)}`)
    if (q !== BLANK_COMMENT) return q !== NO_QUOTE
  }
  return false
}

/**
 * The entries written, as the checks of the output read them: a list of DecodedEntry, or for an
 * env file WrittenEntries, which holds no object per entry.
 */
interface EntryList {
  readonly length: number
  /** How many entries were decoded (the others were kept as they were). */
  readonly secrets: number
  entry(i: number): DecodedEntry
  /** Whether entry i is written with `name` and `value`. */
  isWritten(i: number, name: string, value: string): boolean
  /** Whether entry i's value is known: false for a secret whose value did not decode (an error says why). */
  known(i: number): boolean
  /** The list of a values file that holds entry i, for the messages; undefined elsewhere. */
  list(i: number): string | undefined
  /** Calls `repeat` for each entry written with the name of an earlier one, and the latest such. */
  eachRepeat(repeat: (i: number, earlier: number) => void): void
}

/** What the checks of the names written need of a document's entry, besides its DecodedEntry. */
interface EntryDetail {
  known: boolean
  list: string | undefined
}

function listOf(entries: readonly DecodedEntry[], details: readonly EntryDetail[]): EntryList {
  return {
    length: entries.length,
    secrets: entries.filter((e) => e.decoded).length,
    entry: (i) => entries[i] as DecodedEntry,
    isWritten: (i, name, value) => entries[i]?.name === name && entries[i]?.value === value,
    known: (i) => details[i]?.known === true,
    list: (i) => details[i]?.list,
    eachRepeat: (repeat) => {
      const name = (i: number): string => (entries[i] as DecodedEntry).name
      const finder = new Repeats(name, entries.length, true)
      for (let i = 0; i < entries.length; i++) {
        const earlier = finder.add(name(i), 0, name(i).length, i)
        if (earlier !== -1) repeat(i, earlier)
      }
    },
  }
}

/**
 * The entries of an env file as places in its text: each variable's start and length (NamePlaces),
 * how much of its start the name written leaves out (the prefix of a decoded one, nothing for one
 * kept as it was), and the value written.
 */
export class WrittenEntries implements EntryList {
  private readonly variables: NamePlaces
  private skips = new Uint8Array(1024)
  /** Undefined for a secret whose value did not decode. */
  private readonly values: (string | undefined)[] = []
  secrets = 0

  constructor(t: string) {
    this.variables = new NamePlaces(t)
  }

  get length(): number {
    return this.variables.count
  }

  /**
   * The variable at `start` in the text, and the name written for it: the end of the variable
   * (decodeVariable's name of a secret), or undefined for a variable kept as it was; `value` is
   * undefined for a secret whose value did not decode.
   */
  add(start: number, variable: string, name: string | undefined, line: number, value: string | undefined): void {
    const i = this.variables.add(start, variable.length, line)
    if (i === this.skips.length) this.skips = grown(this.skips)
    this.skips[i] = name === undefined ? 0 : variable.length - name.length
    if (name !== undefined) this.secrets++
    this.values.push(value)
  }

  entry(i: number): DecodedEntry {
    const variable = this.variables.name(i)
    const skip = this.skips[i] as number
    return { variable, name: variable.slice(skip), value: this.values[i] ?? '', line: this.variables.line(i), decoded: skip !== 0 }
  }

  isWritten(i: number, name: string, value: string): boolean {
    if (this.values[i] !== value) return false
    const skip = this.skips[i] as number
    return name.length === this.variables.length(i) - skip && this.variables.text.startsWith(name, this.variables.start(i) + skip)
  }

  known(i: number): boolean {
    return this.values[i] !== undefined
  }

  list(): undefined {
    return undefined
  }

  eachRepeat(repeat: (i: number, earlier: number) => void): void {
    // The names written, as places in the text: no string each, but where two hashes meet.
    const v = this.variables
    const name = (i: number): string => v.text.slice(v.start(i) + (this.skips[i] as number), v.start(i) + v.length(i))
    const finder = new Repeats(name, v.count, true)
    for (let i = 0; i < v.count; i++) {
      const skip = this.skips[i] as number
      const earlier = finder.add(v.text, v.start(i) + skip, v.length(i) - skip, i)
      if (earlier !== -1) repeat(i, earlier)
    }
  }
}

/**
 * A name written twice, where dotenv would keep only the last. `SECRET_X` and `X` in one file
 * would both be written as `X`: an error naming both lines. A name repeated as it is (a values
 * file whose two deployments each give it, a JSON member twice, a line twice) is written twice,
 * as the input has it: with a different value an error, since the .env holds one value per name
 * and the other would be lost without a word; with the same value a note, since dotenv reads that
 * value either way (two deployments that share a secret give it so). A value that did not decode
 * has an error of its own, and is compared with nothing.
 */
function checkNamesWritten(entries: EntryList, report: Report): void {
  entries.eachRepeat((i, j) => {
    const e = entries.entry(i)
    const earlier = entries.entry(j)
    if (earlier.variable !== e.variable) {
      report('decoded-twice', 'error', e.line, displayName(e.variable),
        `${displayName(earlier.variable)} (line ${earlier.line}) and ${displayName(e.variable)} would both be written as ${displayName(e.name)}, and dotenv ` +
        'would keep only the last: remove one of them')
      return
    }
    if (!entries.known(i) || !entries.known(j)) return
    // The lists of a values file, when they differ: each deployment has its own environment.
    const differ = entries.list(i) !== entries.list(j)
    const inList = (k: number): string => (differ ? ` in ${entries.list(k) ?? ''}` : '')
    const [here, there] = [inList(i), inList(j)]
    const shown = displayName(e.variable)
    if (e.value === earlier.value) {
      report('duplicate', 'note', e.line, shown,
        `${shown}${here} is already defined on line ${earlier.line}${there}, with the same value: it is written twice, ` +
        'and dotenv reads that value either way')
    } else {
      report('duplicate', 'error', e.line, shown,
        `${shown}${here} is already defined on line ${earlier.line}${there}, with a different value: a .env holds one ` +
        'value per name, and dotenv would keep only the last: remove or rename one of them')
    }
  })
}

/** The checks of the whole output, and the result as the caller receives it (`keep`: with the entries). */
function finish(format: DecodeResult['format'], out: string, eol: '\n' | '\r\n', written: EntryList, keep: boolean,
  diagnostics: Diagnostic[], report: Report): Outcome {
  checkNamesWritten(written, report)
  if (!hasErrors(diagnostics)) verify(out, written, report)
  sortByLine(diagnostics)
  if (hasErrors(diagnostics)) return { ok: false, format, text: '', eol, entries: [], secrets: 0, diagnostics }
  const entries = keep ? Array.from({ length: written.length }, (_, i) => written.entry(i)) : []
  const text = eol === '\n' ? out : out.replace(/\n/g, '\r\n')
  return { ok: true, format, text, eol, entries, secrets: written.secrets, diagnostics }
}

/**
 * What one variable becomes: its name without the prefix, its decoded value, and that value as
 * written after `NAME=`. `name` is undefined for a variable that is no secret (no `SECRET_` prefix,
 * or nothing after it), which is kept as it is, with a warning; `written` is undefined after an
 * error. `SECRET___proto__` is left out, with a warning: dotenv parses into an object, where the
 * name `__proto__` sets nothing, so its value would be lost in the .env (encode leaves the name
 * out of its output for the same reason).
 */
function decodeVariable(v: EncodedVariable, place: string, report: Report): Decoded {
  const variable = v.variable
  if (!isEnvName(variable)) {
    // Perhaps a key that swallowed its value: never printed whole, and nothing else is said of it.
    report('invalid-name', 'error', v.line, displayName(variable),
      `${displayName(variable)} has characters other than letters, digits, _, . and -, which a .env file cannot ` +
      'hold as a name: rename it')
    return { name: undefined, value: undefined, written: undefined, leftOut: false }
  }
  const name = variable.startsWith(SECRET_PREFIX) ? variable.slice(SECRET_PREFIX.length) : ''
  if (name === '') {
    // A line of base64 on its own reads as a name: displayName never shows one whole.
    const shown = displayName(variable)
    report(variable.startsWith(SECRET_PREFIX) ? 'empty-name' : 'not-prefixed', 'warning', v.line, shown,
      variable.startsWith(SECRET_PREFIX)
        ? `${displayName(variable)} has no name after the prefix, so it is no secret: it is kept as it is`
        : `${shown} does not start with ${SECRET_PREFIX}, so Kestra ignores it: it is kept as it is` +
          (hasPrefixInAnyCase(variable) ? ` (Kestra's prefix is upper-case ${SECRET_PREFIX})` : ''))
    return { name: undefined, value: undefined, written: undefined, leftOut: false }
  }
  if (isIgnoredName(name)) {
    report('ignored-name', 'warning', v.line, displayName(variable),
      `dotenv ignores the name __proto__, so ${displayName(variable)} is left out: rename it`)
    return { name: undefined, value: undefined, written: undefined, leftOut: true }
  }
  const value = decodeForWriting(v, place, report)
  const written = value === undefined ? undefined : quoteValue(value)
  if (value !== undefined && written === undefined) unwritable(v, report)
  return { name, value, written, leftOut: false }
}

function unwritable(v: EncodedVariable, report: Report): void {
  report('unwritable-value', 'error', v.line, displayName(v.variable),
    `the value of ${displayName(v.variable)} mixes quotes, line breaks, backslashes or spaces at its ends in a ` +
    'way that no dotenv quoting carries unchanged, so it cannot be written to a .env file')
}

/** The value Kestra would hand to flows, when it can be written to a .env file. */
function decodeForWriting(v: EncodedVariable, place: string, report: Report): string | undefined {
  const variable = v.variable
  const decoded = readKestraValue(v.encoded)
  if (!decoded.ok) {
    const why = undecodable(v.encoded, displayName(variable), decoded.problem, place)
    report(why.code, 'error', v.line, displayName(variable), why.message + encodingHint(v))
    return undefined
  }
  if (!decoded.utf8) {
    report('not-utf8', 'error', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to bytes that are not UTF-8 text (Kestra turns them into ` +
      'U+FFFD), so it cannot be written to a .env file: was it ever base64-encoded?' + encodingHint(v))
    return undefined
  }
  if (decoded.text.includes('\0')) {
    report('unwritable-value', 'error', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to text with a NUL character, which a .env file cannot hold`)
    return undefined
  }
  return decoded.text
}

/**
 * The last word: dotenv's reading of the output must give every entry its value, in order. The
 * quoting rules make this hold; this makes sure of it, whatever the lines around an entry hold.
 */
function verify(out: string, entries: EntryList, report: Report): void {
  // Entry by entry as the scanner reads them, none kept: the output is as large as the input.
  let i = 0
  let wrong: number | undefined
  scanEntries(normaliseLineEnds(out), (got) => {
    if (wrong !== undefined) return
    if (i < entries.length && !entries.isWritten(i, got.key, got.value)) wrong = i
    i++
  })
  if (wrong === undefined && i < entries.length) wrong = i
  if (wrong !== undefined) {
    const e = entries.entry(wrong)
    const written = e.decoded ? quoteValue(e.value) : undefined
    report('unwritable-value', 'error', e.line, displayName(e.variable), written !== undefined && dependsOnLaterLines(written)
      ? `the value of ${displayName(e.variable)} ends with a backslash and needs quotes, whose closing one dotenv then reads as ` +
        `escaped, and a later line ends with a ${written[0] as string}, which dotenv takes for it: change that line or the value`
      : `${displayName(e.variable)} cannot be written so that dotenv reads it back unchanged, because of the ` +
        'lines around it: check the lines that dotenv does not read near it')
    return
  }
  if (i > entries.length) {
    const extra = entries.length === 0 ? undefined : entries.entry(entries.length - 1)
    report('unwritable-value', 'error', extra?.line, extra === undefined ? undefined : displayName(extra.variable),
      'the decoded file would hold an entry that the encoded file does not: check the lines that ' +
      'dotenv does not read')
  }
}
