/**
 * Reading an encoded file (`SECRET_<NAME>=<base64>` lines) the way decode and check both need it:
 * the scanner's entries and the lines dotenv skips, with the values that a `base64` command
 * wrapped over several lines (GNU base64 wraps at 76 columns, openssl at 64) joined back, since
 * docker compose and kubectl would read them as a cut-off value followed by junk lines.
 */
import { mightBeFormatted, readFormatted, type DocumentFormat, type FormattedDocument, type FormattedEntry, type ReadOptions } from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import type { EncodedVariable } from './kestra.js'
import { lineEnding, scan, type Entry, type ScanResult, type SkippedLine } from './scan.js'

/**
 * One entry of an encoded file, lines of a wrapped value already attached: also the variable that
 * Kestra receives from it (`encoded` is dotenv's value, with the continuation lines appended).
 */
export interface EncodedItem extends EncodedVariable {
  entry: Entry
  /** The offsets of the continuation lines (line ends included), when the value was wrapped. */
  continuation: Continuation | undefined
}

export interface Continuation {
  start: number
  end: number
  lines: number
}

export interface EncodedFile {
  scanned: ScanResult
  /** The entries, but for those that only continue a wrapped value. */
  items: EncodedItem[]
  /** The lines dotenv skips, but for those that continue a wrapped value. */
  skipped: SkippedLine[]
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
 * YAML formats need `yaml` (the loaded `yaml` package); without it only JSON is recognised. The
 * caller has ruled out a NUL byte (binaryDiagnostic).
 */
export function readEncodedInput(source: string, yaml?: YamlModule, options: ReadOptions = {}): EncodedInput {
  const document = mightBeFormatted(source) ? readFormatted(source, yaml, options) : undefined
  if (document !== undefined) {
    return { format: document.format, document, variables: document.entries, eol: lineEnding(source) }
  }
  const file = readEncoded(source)
  return { format: 'env', file, variables: file.items, eol: file.scanned.eol }
}

export function readEncoded(source: string): EncodedFile {
  const scanned = scan(source)
  const { text: t, entries } = scanned
  const items: EncodedItem[] = []
  let last: Continuation | undefined
  const continues = (offset: number): boolean => last !== undefined && offset >= last.start && offset < last.end
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry
    if (continues(e.start)) continue
    const continuation = wrappedAfter(t, e, entries, i + 1)
    let value = e.value
    if (continuation !== undefined) {
      last = continuation
      value += t.slice(continuation.start, continuation.end).replace(/\n/g, '')
    }
    items.push({ variable: e.key, encoded: value, line: e.line, entry: e, continuation })
  }
  // The skipped lines, but for those inside a continuation (both lists are in order).
  const ranges = items.flatMap((item) => (item.continuation === undefined ? [] : [item.continuation]))
  const skipped: SkippedLine[] = []
  let r = 0
  for (const item of scanned.items) {
    if (item.kind !== 'skipped') continue
    while (r < ranges.length && (ranges[r] as Continuation).end <= item.start) r++
    const range = ranges[r]
    if (range === undefined || item.start < range.start) skipped.push(item)
  }
  return { scanned, items, skipped }
}

/**
 * The continuation lines of a value that a `base64` command wrapped: the value is a full line of
 * base64 (64 or 76 characters, no padding, nothing after it), and the lines that follow hold
 * nothing but base64, each as wide as the first except the last.
 */
function wrappedAfter(t: string, e: Entry, entries: readonly Entry[], next: number): Continuation | undefined {
  const width = e.value.length
  if (e.opening !== undefined || e.comment !== undefined || !WRAP_WIDTHS.has(width) || !BASE64_RUN.test(e.value)) {
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
  for (let k = next; k < entries.length && (entries[k] as Entry).start < pos; k++) {
    if ((entries[k] as Entry).matchEnd > pos) return undefined
  }
  return { start, end: pos, lines }
}
