import type { Diagnostic, Report } from './diagnostics.js'
import { collector, hasErrors } from './diagnostics.js'
import { SECRET_PREFIX } from './encode.js'
import { readEncoded, type EncodedItem } from './encoded.js'
import { decodeKestraValue, undecodable } from './kestra.js'
import { quoteValue } from './quote.js'
import { scan } from './scan.js'

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
  /** The plain `.env`; empty when `ok` is false. */
  text: string
  /** The input's line ending, used for the output too. */
  eol: '\n' | '\r\n'
  /** Every entry, in order; empty when `ok` is false. */
  entries: DecodedEntry[]
  diagnostics: Diagnostic[]
}

/**
 * Turns an encoded file back into a plain `.env`: `SECRET_<NAME>=<base64>` becomes
 * `<NAME>=<value>` with the value decoded by Kestra's rules and written so that `dotenv.parse()`
 * reads it back exactly; comments, blank lines, other lines and the line ending style stay as they
 * are. Entries without the prefix are kept as they are, with a warning.
 */
export function decodeEnv(source: string): DecodeResult {
  const { diagnostics, report } = collector()
  const file = readEncoded(source)
  const { text: t, eol, items } = file
  if (file.nul !== undefined) {
    report('binary', 'error', file.lineAt(file.nul), undefined,
      'contains a NUL byte: this looks like a binary file, not an encoded .env file')
    return { ok: false, text: '', eol, entries: [], diagnostics }
  }

  for (const s of file.skipped) {
    report('ignored-line', 'warning', s.line, undefined, s.bareName
      ? 'a name without `=` and value, which dotenv does not read: it is kept as it is'
      : 'dotenv does not read this line (not KEY=VALUE, a comment or blank): it is kept as it is')
  }

  // The output: the text between entries as it is (minus the continuation lines of wrapped
  // values), each entry rewritten or copied.
  const entries: DecodedEntry[] = []
  let out = ''
  let cursor = 0
  const copy = (from: number, to: number, item: EncodedItem | undefined): string => {
    const c = item?.continuation
    return c === undefined ? t.slice(from, to) : t.slice(from, c.start) + t.slice(c.end, to)
  }
  items.forEach((item, i) => {
    const e = item.entry
    const next = items[i + 1]?.entry.start ?? t.length
    out += copy(cursor, e.start, items[i - 1])
    const variable = e.key
    const name = variable.startsWith(SECRET_PREFIX) ? variable.slice(SECRET_PREFIX.length) : ''
    if (name === '') {
      report(variable.startsWith(SECRET_PREFIX) ? 'empty-name' : 'not-prefixed', 'warning', item.line, variable,
        variable.startsWith(SECRET_PREFIX)
          ? `${variable} has no name after the prefix, so it is no secret: it is kept as it is`
          : `${variable} does not start with ${SECRET_PREFIX}, so Kestra ignores it: it is kept as it is` +
            (variable.toUpperCase().startsWith(SECRET_PREFIX) ? ` (Kestra's prefix is upper-case ${SECRET_PREFIX})` : ''))
      out += t.slice(e.start, e.valueEnd)
      cursor = e.valueEnd
      entries.push({ variable, name: variable, value: e.value, line: item.line, decoded: false })
      return
    }
    if (item.continuation !== undefined) {
      report('wrapped-value', 'warning', item.line, variable,
        `the value of ${variable} is wrapped over ${item.continuation.lines + 1} lines (as the base64 ` +
        'command does): they are joined here, but docker compose and kubectl read only the first line')
    }
    const value = decodeForWriting(item, variable, report)
    const end = valueTextEnd(t, e)
    let written = value === undefined ? '' : quoteValue(value)
    if (value !== undefined && written === undefined) {
      report('unwritable-value', 'error', item.line, variable,
        `the value of ${variable} mixes quotes, line breaks, backslashes or spaces at its ends in a ` +
        'way that no dotenv quoting carries unchanged, so it cannot be written to a .env file')
    }
    // An empty value followed, across blank lines, by a quote would take that quoted text.
    if (written === '' && /^\s*['"`]/.test(copy(end, next, item))) written = "''"
    out += `${e.exported ? 'export ' : ''}${name}=${written ?? ''}`
    cursor = end
    entries.push({ variable, name, value: value ?? '', line: item.line, decoded: true })
  })
  out += copy(cursor, t.length, items[items.length - 1])

  if (!hasErrors(diagnostics)) verify(out, entries, report)
  if (items.length === 0) {
    report('no-entries', 'warning', undefined, undefined, 'no KEY=VALUE entries found: the output holds no secret')
  }
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  if (hasErrors(diagnostics)) return { ok: false, text: '', eol, entries: [], diagnostics }
  return { ok: true, text: eol === '\n' ? out : out.replace(/\n/g, '\r\n'), eol, entries, diagnostics }
}

/** The value Kestra would hand to flows, when it can be written to a .env file. */
function decodeForWriting(item: EncodedItem, variable: string, report: Report): string | undefined {
  const decoded = decodeKestraValue(item.value)
  if (!decoded.ok) {
    const why = undecodable(item.value, variable, decoded.problem)
    report(why.code, 'error', item.line, variable, why.message)
    return undefined
  }
  if (!decoded.utf8) {
    report('not-utf8', 'error', item.line, variable,
      `the value of ${variable} decodes to bytes that are not UTF-8 text (Kestra turns them into ` +
      'U+FFFD), so it cannot be written to a .env file: was it ever base64-encoded?')
    return undefined
  }
  if (decoded.text.includes('\0')) {
    report('unwritable-value', 'error', item.line, variable,
      `the value of ${variable} decodes to text with a NUL character, which a .env file cannot hold`)
    return undefined
  }
  return decoded.text
}

/** Where the value's text ends: after the closing quote, or before the spaces after a bare value. */
function valueTextEnd(t: string, e: EncodedItem['entry']): number {
  if (e.quote !== undefined) return e.valueEnd
  return e.valueStart + t.slice(e.valueStart, e.valueEnd).trimEnd().length
}

/**
 * The last word: dotenv's reading of the output must give every entry its value, in order. The
 * quoting rules make this hold; this makes sure of it, whatever the lines around an entry hold.
 */
function verify(out: string, entries: readonly DecodedEntry[], report: Report): void {
  const read = scan(out).entries
  for (let i = 0; i < entries.length; i++) {
    const want = entries[i] as DecodedEntry
    const got = read[i]
    if (got === undefined || got.key !== want.name || got.value !== want.value) {
      report('unwritable-value', 'error', want.line, want.variable,
        `${want.variable} cannot be written so that dotenv reads it back unchanged, because of the ` +
        'lines around it: check the lines that dotenv does not read near it')
      return
    }
  }
  if (read.length > entries.length) {
    const extra = entries[entries.length - 1]
    report('unwritable-value', 'error', extra?.line, extra?.variable,
      'the decoded file would hold an entry that the encoded file does not: check the lines that ' +
      'dotenv does not read')
  }
}
