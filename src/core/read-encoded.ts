/**
 * Reading an encoded file (`SECRET_<NAME>=<base64>` lines) the way decode and check both need it:
 * the scanner's entries and the lines dotenv skips, with the values that a `base64` command
 * wrapped over several lines (GNU base64 wraps at 76 columns, openssl at 64) joined back, since
 * docker compose and kubectl would read them as a cut-off value followed by junk lines.
 */
import { mightBeFormatted, mightBeJson, readFormatted, type FormattedDocument, type ReadOptions } from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import type { EncodedVariable } from './kestra.js'
import { scanItems, type BlankLines, type CommentLine, type Entry, type ScanItem, type SkippedLine } from './scan.js'

/**
 * One entry of an encoded file, lines of a wrapped value already attached: also the variable that
 * Kestra receives from it (`encoded` is dotenv's value, with the continuation lines appended).
 */
export interface EncodedItem extends EncodedVariable {
  kind: 'variable'
  entry: Entry
  /** The offsets of the continuation lines (line ends included), when the value was wrapped. */
  continuation: Continuation | undefined
}

export interface Continuation {
  start: number
  end: number
  lines: number
}

const WRAP_WIDTHS = new Set([64, 76])
const BASE64_RUN = /^[A-Za-z0-9+/]+$/
const CONTINUATION = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * The document that `encode --format` writes (a values file, a Secret manifest, JSON) that
 * `source` is, recognised from its content; undefined for an encoded .env file, which
 * readEncodedItems reads. The YAML formats need `yaml` (the loaded `yaml` package); without it
 * only JSON is recognised. The caller has ruled out a NUL byte (unreadableText).
 */
export function readDocument(source: string, yaml?: YamlModule, options: ReadOptions = {}): FormattedDocument | undefined {
  // Without yaml only JSON can be recognised: the whole text is not searched again for the words
  // of the YAML formats (the CLI loads yaml only when it found them).
  const may = yaml === undefined ? mightBeJson(source) : mightBeFormatted(source)
  return may ? readFormatted(source, yaml, options) : undefined
}

/** What readEncodedItems gives: the variables, and the lines between them as the scanner read them. */
export type EncodedFileItem = EncodedItem | BlankLines | CommentLine | SkippedLine

/**
 * Reads an encoded file item by item, in text order, as `scanItems` does (`t` is normalised the
 * same way), keeping none of them: each entry becomes a variable, and a value that a `base64`
 * command wrapped takes its continuation lines, which are then no items of their own (the
 * entries dotenv saw on them, and the lines it skipped there).
 */
export function readEncodedItems(t: string, onItem: (item: EncodedFileItem) => void): void {
  // A value that may be wrapped waits, with the items on the lines that would continue it, until
  // the scan is past those lines: an entry there that ends beyond them means it is no wrap.
  let held: { entry: Entry; continuation: Continuation; items: ScanItem[]; broken: boolean } | undefined
  const variable = (e: Entry, continuation: Continuation | undefined): void => {
    const encoded = continuation === undefined ? e.value : e.value + t.slice(continuation.start, continuation.end).replace(/\n/g, '')
    onItem({ kind: 'variable', variable: e.key, encoded, line: e.line, entry: e, continuation })
  }
  const release = (): void => {
    const h = held as NonNullable<typeof held>
    held = undefined
    if (!h.broken) return variable(h.entry, h.continuation)
    variable(h.entry, undefined)
    for (const item of h.items) feed(item)
  }
  const feed = (item: ScanItem): void => {
    if (held !== undefined) {
      // Continuation lines are base64 only: no blank line or comment among them.
      const start = item.kind === 'entry' || item.kind === 'skipped' ? item.start : Infinity
      if (start < held.continuation.end) {
        held.items.push(item)
        if (item.kind === 'entry' && item.matchEnd > held.continuation.end) held.broken = true
        return
      }
      release()
    }
    if (item.kind !== 'entry') return onItem(item)
    const continuation = wrappedAfter(t, item)
    if (continuation === undefined) variable(item, undefined)
    else held = { entry: item, continuation, items: [], broken: false }
  }
  scanItems(t, feed)
  if (held !== undefined) release()
}

/**
 * The lines that may continue a value that a `base64` command wrapped: the value is a full line of
 * base64 (64 or 76 characters, no padding, nothing after it), and the lines that follow hold
 * nothing but base64, each as wide as the first except the last. They do only if every entry that
 * dotenv saw on them ends there too (see readEncodedItems).
 */
function wrappedAfter(t: string, e: Entry): Continuation | undefined {
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
  return { start, end: pos, lines }
}
