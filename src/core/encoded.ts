/**
 * Reading an encoded file (`SECRET_<NAME>=<base64>` lines) the way decode and check both need it:
 * dotenv's entries with their lines, the lines dotenv skips, and the values that a `base64`
 * command wrapped over several lines (GNU base64 wraps at 76 columns, openssl at 64), which docker
 * compose and kubectl would read as a cut-off value followed by junk lines.
 */
import {
  mightBeFormatted, readFormatted, type DocumentFormat, type FormattedDocument, type FormattedEntry, type ReadOptions,
} from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import type { EncodedVariable } from './kestra.js'
import { lineIndex } from './lines.js'
import { isBareName, scan, type ScannedEntry } from './scan.js'

/** One entry of an encoded file, lines of a wrapped value already attached. */
export interface EncodedItem {
  entry: ScannedEntry
  /** 1-based line of the name. */
  line: number
  /** dotenv's value, with the continuation lines of a wrapped value appended. */
  value: string
  /** The offsets of the continuation lines (line ends included), when the value was wrapped. */
  continuation: { start: number; end: number; lines: number } | undefined
}

/** A line dotenv does not read: neither blank, nor a comment, nor part of an entry. */
export interface SkippedLine {
  line: number
  start: number
  end: number
  /** A name alone, without `=`. */
  bareName: boolean
}

export interface EncodedFile {
  /** The text the offsets refer to (line ends normalised to LF). */
  text: string
  /** The input's line ending. */
  eol: '\n' | '\r\n'
  items: EncodedItem[]
  skipped: SkippedLine[]
  /** Offset of a NUL character, when the text has one (it is then not read further). */
  nul: number | undefined
  lineAt(offset: number): number
}

const WRAP_WIDTHS = new Set([64, 76])
const BASE64_RUN = /^[A-Za-z0-9+/]+$/
const CONTINUATION = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * What decode and check read: an encoded .env file, or a document that `encode --format` writes
 * (a values file, a Secret manifest, JSON), recognised from its content. Either way `variables`
 * lists what Kestra receives, in order, for the rules that every format shares.
 */
export type EncodedInput =
  | {
    format: 'env'
    file: EncodedFile
    /** One per item of `file`, in the same order. */
    variables: EncodedVariable[]
    eol: '\n' | '\r\n'
  }
  | {
    format: DocumentFormat
    document: FormattedDocument
    /** The document's entries. */
    variables: FormattedEntry[]
    eol: '\n' | '\r\n'
  }

/**
 * Reads `source` as a formatted document when it is one, as an encoded .env file otherwise. The
 * YAML formats need `yaml` (the loaded `yaml` package); without it only JSON is recognised.
 */
export function readEncodedInput(source: string, yaml?: YamlModule, options: ReadOptions = {}): EncodedInput {
  // A NUL byte makes a binary file, which the .env reading reports.
  const document = !source.includes('\0') && mightBeFormatted(source) ? readFormatted(source, yaml, options) : undefined
  if (document !== undefined) {
    return { format: document.format, document, variables: document.entries, eol: lineEnding(source) }
  }
  const file = readEncoded(source)
  const variables = file.items.map((item) => ({ variable: item.entry.key, encoded: item.value, line: item.line }))
  return { format: 'env', file, variables, eol: file.eol }
}

export function readEncoded(source: string): EncodedFile {
  const eol = lineEnding(source)
  const nul = source.indexOf('\0')
  if (nul !== -1) {
    const index = lineIndex(source)
    return { text: source, eol, items: [], skipped: [], nul, lineAt: (o) => index.lineAt(o) }
  }
  const { text: t, entries } = scan(source)
  const index = lineIndex(t)
  const items: EncodedItem[] = []
  const skipped: SkippedLine[] = []
  const continuations: Array<{ start: number; end: number }> = []

  let cursor = 0
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ScannedEntry
    if (inside(continuations, e.start)) continue
    collectSkipped(t, cursor, e.start, index, skipped, continuations)
    const continuation = wrappedAfter(t, e, entries, i + 1)
    let value = e.value
    if (continuation !== undefined) {
      continuations.push(continuation)
      value += t.slice(continuation.start, continuation.end).replace(/\n/g, '')
    }
    items.push({ entry: e, line: index.lineAt(e.start), value, continuation })
    cursor = e.valueEnd
  }
  collectSkipped(t, cursor, t.length, index, skipped, continuations)
  return { text: t, eol, items, skipped, nul: undefined, lineAt: (o) => index.lineAt(o) }
}

/**
 * The continuation lines of a value that a `base64` command wrapped: the value is a full line of
 * base64 (64 or 76 characters, no padding, nothing after it), and the lines that follow hold
 * nothing but base64, each as wide as the first except the last.
 */
function wrappedAfter(t: string, e: ScannedEntry, entries: readonly ScannedEntry[], next: number):
  { start: number; end: number; lines: number } | undefined {
  const width = e.value.length
  if (e.quote !== undefined || e.commentStart !== undefined || !WRAP_WIDTHS.has(width) || !BASE64_RUN.test(e.value)) {
    return undefined
  }
  if (t.charCodeAt(e.valueEnd) !== 0x0a) return undefined
  const start = e.valueEnd + 1
  let pos = start
  let lines = 0
  for (;;) {
    let end = t.indexOf('\n', pos)
    if (end === -1) end = t.length
    const line = t.slice(pos, end)
    if (!CONTINUATION.test(line) || line.length > width) break
    lines++
    pos = end === t.length ? end : end + 1
    if (line.length < width || line.endsWith('=') || end === t.length) break
  }
  if (lines === 0) return undefined
  // An entry that dotenv saw on a continuation line must end there too, or this is not a wrap.
  for (let k = next; k < entries.length && (entries[k] as ScannedEntry).start < pos; k++) {
    if ((entries[k] as ScannedEntry).matchEnd > pos) return undefined
  }
  return { start, end: pos, lines }
}

/**
 * The lines between two entries that are neither blank nor comments (nor continuation lines). The
 * rest of an entry's line is white space or a comment, and the piece just before the next entry is
 * the white space before its name, so only whole lines can be reported.
 */
function collectSkipped(t: string, from: number, to: number, index: { lineAt(o: number): number },
  out: SkippedLine[], continuations: ReadonlyArray<{ start: number; end: number }>): void {
  let pos = from
  while (pos < to) {
    // By hand: indexOf would run past `to` for every gap when entries share a line.
    let end = pos
    while (end < to && t.charCodeAt(end) !== 0x0a) end++
    const piece = t.slice(pos, end)
    const trimmed = piece.trim()
    if (trimmed !== '' && trimmed.charCodeAt(0) !== 0x23 && !inside(continuations, pos)) {
      out.push({ line: index.lineAt(pos), start: pos, end, bareName: isBareName(piece) })
    }
    pos = end + 1
  }
}

/** Whether `offset` lies in the last of the ranges (found in order, so only the last can hold it). */
function inside(ranges: ReadonlyArray<{ start: number; end: number }>, offset: number): boolean {
  const last = ranges[ranges.length - 1]
  return last !== undefined && offset >= last.start && offset < last.end
}

/** CRLF when the first line break is CRLF, LF otherwise. */
export function lineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n')
  return lf > 0 && source.charCodeAt(lf - 1) === 0x0d ? '\r\n' : '\n'
}
