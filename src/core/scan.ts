/**
 * A linear-time scanner that finds exactly the entries `dotenv.parse()` (dotenv 18, default mode)
 * finds, with the same values, and remembers where each one stands in the source.
 *
 * dotenv's default parser is one regular expression, run with the `m` and `g` flags over the text
 * after CR/CRLF are turned into LF:
 *
 *   (?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)
 *   (\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?
 *   \s*(?:#.*)?(?:$|$)
 *
 * Because `\s` also matches line breaks, a match can run over several lines, and because the engine
 * retries at every line start, blank lines cost it quadratic time. This module replays what the
 * backtracking engine does, choice by choice, without ever scanning a stretch of text more than a
 * constant number of times. Each step below names the part of the expression it stands for.
 *
 * JavaScript's `\s` and `String.prototype.trim` use the same set of characters (`isSpace`), and in
 * `m` mode `^`, `$` and `.` treat \n, \r, U+2028 and U+2029 as line ends (`isLineEnd`).
 */

export type Quote = "'" | '"' | '`'

/** One `KEY=VALUE` that dotenv reads, with the places in the normalised text it came from. */
export interface ScannedEntry {
  /** The name, as dotenv returns it. */
  key: string
  /** The value, exactly as dotenv returns it. */
  value: string
  /** Offset of `export` or of the name (after leading white space). */
  start: number
  /** Offset just past the value as the expression captured it (past the closing quote if any). */
  valueEnd: number
  /** Offset where the captured value starts (right after `=` or `: `). */
  valueStart: number
  /** Whether the line began with `export `. */
  exported: boolean
  /** The quote that enclosed the value, when dotenv read it as a quoted value. */
  quote: Quote | undefined
  /** Offset of a `#` comment that dotenv skipped after the value, if any. */
  commentStart: number | undefined
  /** Offset where the whole match (value, trailing space, comment) ends. */
  matchEnd: number
}

export interface ScanResult {
  /** The text the offsets refer to: the input with CRLF and lone CR turned into LF. */
  text: string
  /** Every match, in source order, duplicates included (dotenv keeps the last). */
  entries: ScannedEntry[]
}

const SPACE = new Uint8Array(0x3001)
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) {
  SPACE[c] = 1
}
for (let c = 0x2000; c <= 0x200a; c++) SPACE[c] = 1

/** `\s` in a JavaScript regular expression, and what `trim()` removes. */
export function isSpace(c: number): boolean {
  return c === 0xfeff || (c <= 0x3000 && SPACE[c] === 1)
}

/** A line end for `^`, `$` and `.` in `m` mode. */
export function isLineEnd(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029
}

/** `[\w.-]` */
function isKeyChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x5f || c === 0x2e || c === 0x2d
  )
}

const HASH = 0x23
const LF = 0x0a
const BACKSLASH = 0x5c
const EQUALS = 0x3d
const COLON = 0x3a

function isQuote(c: number): boolean {
  return c === 0x27 || c === 0x22 || c === 0x60
}

/** CRLF and lone CR become LF, as dotenv does before it parses. */
export function normaliseLineEnds(source: string): string {
  return source.indexOf('\r') === -1 ? source : source.replace(/\r\n?/g, '\n')
}

interface Tail {
  end: number
  commentStart: number | undefined
}

export function scan(source: string): ScanResult {
  const t = normaliseLineEnds(source)
  const n = t.length
  const entries: ScannedEntry[] = []

  const skipSpace = (i: number): number => {
    while (i < n && isSpace(t.charCodeAt(i))) i++
    return i
  }

  // `\s*(?:#.*)?(?:$|$)` from position x: the greedy `\s*` runs to the first non-space m; from
  // there a `#` comment or the end of the text ends the match, otherwise the engine backs off to
  // the last line end inside the run of spaces. No line end in the run means no match.
  const tail = (x: number): Tail | undefined => {
    const m = skipSpace(x)
    if (m === n) return { end: n, commentStart: undefined }
    if (t.charCodeAt(m) === HASH) {
      let e = m
      while (e < n && !isLineEnd(t.charCodeAt(e))) e++
      return { end: e, commentStart: m }
    }
    for (let i = m - 1; i >= x; i--) {
      if (isLineEnd(t.charCodeAt(i))) return { end: i, commentStart: undefined }
    }
    return undefined
  }

  // The optional value group and the tail, from v (after `=` and the lazy `\s*?`, which always
  // succeeds at zero characters after `=`, and at one character after `:`).
  const value = (v: number): { valueEnd: number; quote: Quote | undefined; tail: Tail } => {
    const w = skipSpace(v)
    const open = t.charCodeAt(w)
    if (w < n && isQuote(open)) {
      // `\s*Q(?:\\Q|[^Q])*Q`: the greedy loop runs to the first quote not preceded by a backslash
      // (or to the end of the text); on failure the engine backs off through the backslash-quote
      // pairs it took, from the last to the first, each time trying that quote as the closing one.
      const quote = t[w] as Quote
      const escaped: number[] = []
      let first = -1
      for (let j = t.indexOf(quote, w + 1); j !== -1; j = t.indexOf(quote, j + 1)) {
        if (t.charCodeAt(j - 1) !== BACKSLASH) {
          first = j
          break
        }
        escaped.push(j)
      }
      if (first !== -1) {
        const after = tail(first + 1)
        if (after) return { valueEnd: first + 1, quote, tail: after }
      }
      for (let k = escaped.length - 1; k >= 0; k--) {
        const close = escaped[k] as number
        const after = tail(close + 1)
        if (after) return { valueEnd: close + 1, quote, tail: after }
      }
    }
    // `[^#\r\n]+`: after it the tail always matches (it stops at `#`, a line feed or the end).
    const c = t.charCodeAt(v)
    if (v < n && c !== HASH && c !== LF) {
      let e = v
      while (e < n) {
        const d = t.charCodeAt(e)
        if (d === HASH || d === LF) break
        e++
      }
      return { valueEnd: e, quote: undefined, tail: tail(e) as Tail }
    }
    // No value: the tail matches at v (a `#`, a line feed or the end is next).
    return { valueEnd: v, quote: undefined, tail: tail(v) as Tail }
  }

  // `([\w.-]+)(?:\s*=\s*?|:\s+?)` and the rest, with the name starting at s.
  const fromKey = (s: number) => {
    let k = s
    while (k < n && isKeyChar(t.charCodeAt(k))) k++
    if (k === s) return undefined
    const x = skipSpace(k)
    let valueStart: number
    if (x < n && t.charCodeAt(x) === EQUALS) {
      valueStart = x + 1
    } else if (t.charCodeAt(k) === COLON && k + 1 < n && isSpace(t.charCodeAt(k + 1))) {
      valueStart = k + 2
    } else {
      return undefined
    }
    return { key: t.slice(s, k), valueStart, ...value(valueStart) }
  }

  let pos = 0
  while (pos < n) {
    // `(?:^|^)`: the engine tries each position from lastIndex on; only line starts can match.
    if (pos > 0 && !isLineEnd(t.charCodeAt(pos - 1))) {
      while (pos < n && !isLineEnd(t.charCodeAt(pos))) pos++
      pos++
      if (pos >= n) break
    }
    const q = skipSpace(pos)
    // `(?:export\s+)?` is greedy: first with it, then without (the name is then `export`).
    let exported = false
    let found = undefined
    if (t.startsWith('export', q) && isSpace(t.charCodeAt(q + 6))) {
      found = fromKey(skipSpace(q + 6))
      exported = found !== undefined
    }
    found ??= fromKey(q)
    if (found === undefined) {
      // Every line start up to q leads to the same failure; go on after q's line.
      pos = q
      while (pos < n && !isLineEnd(t.charCodeAt(pos))) pos++
      pos++
      continue
    }
    entries.push({
      key: found.key,
      value: cookAt(t, found.valueStart, found.valueEnd, found.quote),
      start: q,
      valueStart: found.valueStart,
      valueEnd: found.valueEnd,
      exported,
      quote: found.quote,
      commentStart: found.tail.commentStart,
      matchEnd: found.tail.end,
    })
    pos = found.tail.end
  }
  return { text: t, entries }
}

/** `cook(t.slice(from, to))`, without the intermediate strings in the common cases. */
function cookAt(t: string, from: number, to: number, quote: Quote | undefined): string {
  while (from < to && isSpace(t.charCodeAt(from))) from++
  while (to > from && isSpace(t.charCodeAt(to - 1))) to--
  const q = t.charCodeAt(from)
  if (quote !== undefined || isQuote(q)) {
    // One line between matching quotes: the replacement just drops them.
    if (to - from >= 2 && t.charCodeAt(to - 1) === q && !hasLineEndIn(t, from, to)) {
      const inner = t.slice(from + 1, to - 1)
      return q === 0x22 && inner.indexOf('\\') !== -1 ? inner.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : inner
    }
    return cook(t.slice(from, to))
  }
  // Unquoted and not starting with a quote: the replacement matches only at a line start.
  return hasLineEndIn(t, from, to) ? cook(t.slice(from, to)) : t.slice(from, to)
}

function hasLineEndIn(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isLineEnd(t.charCodeAt(i))) return true
  return false
}

/**
 * What dotenv does to a captured value: trim, remove one pair of enclosing quotes (with its
 * `/^(['"`])([\s\S]*)\1$/mg` replacement, which in `m` mode also works line by line), and, when the
 * trimmed value began with a double quote, turn `\n` and `\r` into line breaks.
 */
export function cook(raw: string): string {
  const trimmed = raw.trim()
  let value = stripQuotes(trimmed)
  if (trimmed.charCodeAt(0) === 0x22 && value.indexOf('\\') !== -1) {
    value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
  }
  return value
}

/** `s.replace(/^(['"`])([\s\S]*)\1$/mg, '$2')`, in linear time. */
export function stripQuotes(s: string): string {
  const n = s.length
  if (n < 2) return s
  if (!hasLineEnd(s)) {
    // One line: only a match at the start can close, at the last character.
    const q = s.charCodeAt(0)
    return isQuote(q) && s.charCodeAt(n - 1) === q ? s.slice(1, -1) : s
  }
  // The greedy `[\s\S]*` makes every match close at the last quote of its kind that ends a line.
  const lastClose: Record<number, number> = { 0x27: -1, 0x22: -1, 0x60: -1 }
  for (let j = 0; j < n; j++) {
    const c = s.charCodeAt(j)
    if (isQuote(c) && (j === n - 1 || isLineEnd(s.charCodeAt(j + 1)))) lastClose[c] = j
  }
  let out = ''
  let copied = 0
  let p = 0
  while (p < n) {
    const c = s.charCodeAt(p)
    const atLineStart = p === 0 || isLineEnd(s.charCodeAt(p - 1))
    if (atLineStart && isQuote(c) && (lastClose[c] as number) > p) {
      const close = lastClose[c] as number
      out += s.slice(copied, p) + s.slice(p + 1, close)
      copied = close + 1
      p = close + 1
      continue
    }
    p++
  }
  return copied === 0 ? s : out + s.slice(copied)
}

function hasLineEnd(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isLineEnd(s.charCodeAt(i))) return true
  return false
}

/**
 * The name → value map dotenv returns: the last definition wins, and `__proto__` is dropped
 * (assigning a string to it on a plain object does nothing).
 */
export function toRecord(entries: readonly ScannedEntry[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of entries) {
    if (e.key === '__proto__') continue
    out[e.key] = e.value
  }
  return out
}

/** A line holding only a name (perhaps after `export`): a variable someone forgot to give `=`. */
export function isBareName(line: string): boolean {
  return /^\s*(?:export\s+)?[\w.-]+\s*$/.test(line)
}
