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

/**
 * What `scan` finds, as columns rather than one object per entry: `encodeEnv` goes once through
 * what may be tens of thousands of entries, in a process that has just started (so the code runs
 * cold), and building an object per entry, with the garbage that goes with it, was most of its
 * cost. Entry i is `keys[i]`, `values[i]`, `start[i]` and so on; the fields mean what the fields
 * of `ScannedEntry` with the same names mean.
 */
export interface ScannedColumns {
  text: string
  count: number
  keys: string[]
  values: string[]
  start: Int32Array
  /** 1 when the line began with `export `. */
  exported: Int32Array
  valueStart: Int32Array
  valueEnd: Int32Array
  /** The character code of the enclosing quote, 0 for a value dotenv did not read as quoted. */
  quote: Int32Array
  /** -1 when there is no comment. */
  commentStart: Int32Array
  matchEnd: Int32Array
  /**
   * When the value (after white space) starts with a quote: the offset of the next quote of that
   * kind, -1 if there is none; -1 for other values. (dotenv's expression looks for it.)
   */
  nextQuote: Int32Array
  /** 1 when the value as captured, without the white space around it, spans lines. */
  multiline: Int32Array
}

// Sticky expressions run from the position put in lastIndex, and read where the match stopped
// from lastIndex afterwards (`test` builds no match object). Before the JIT has optimised it, a
// loop over charCodeAt costs tens of nanoseconds a character, a native search a fraction of one;
// each of these is a single character class repeated, so none can backtrack.
const SPACE_RUN = /\s+/y
const KEY_RUN = /[\w.-]*/y
const REST_OF_LINE = /[^\n\r\u2028\u2029]*/y
const LINE_END = /[\n\r\u2028\u2029]/

/** The end of the sticky match of `re` at i (i <= t.length: past it, `test` resets lastIndex). */
function runEnd(re: RegExp, t: string, i: number): number {
  re.lastIndex = i
  re.test(t)
  return re.lastIndex
}

/** The first position from i that is not `\s` (or the end of the text). */
export function skipSpace(t: string, i: number): number {
  const c = t.charCodeAt(i)
  // Nothing from `!` to U+009F is space: most calls end here, or one character further on (the
  // line break before the next entry).
  if (c > 0x20 && c < 0xa0) return i
  if (!isSpace(c)) return i
  const d = t.charCodeAt(i + 1)
  if ((d > 0x20 && d < 0xa0) || !isSpace(d)) return i + 1
  return runEnd(SPACE_RUN, t, i)
}

/**
 * A function giving the first `ch` at or after i, or the end of the text. It remembers its last
 * answer, which stays right for any i from where that search started up to the answer: asked at
 * increasing positions, it searches the text about once in all, and with indexOf, which is much
 * faster than a loop or an expression. Asked further back, it searches again.
 */
export function nextIndexOf(t: string, ch: string): (i: number) => number {
  let from = 1
  let at = 0
  return (i) => {
    if (i < from || i > at) {
      from = i
      at = t.indexOf(ch, i)
      if (at === -1) at = t.length
    }
    return at
  }
}

/**
 * A function giving the first line end at or after i (i <= t.length: \n, \r, U+2028 or U+2029),
 * or the end of the text. A search from i never runs past the next line end, so as long as each
 * is asked from a position inside one entry's match (which ends at a line end), the searches stay
 * within it. `nextLineFeed`, a `nextIndexOf(t, '\n')`, is used (and shared) when line feeds are
 * the only line ends.
 */
export function lineEndFinder(t: string, nextLineFeed = nextIndexOf(t, '\n')): (i: number) => number {
  // Most texts: the line ends are the line feeds (looking for a two-byte character costs nothing
  // in a text that has none: V8 knows without reading it).
  if (t.indexOf('\u2028') === -1 && t.indexOf('\u2029') === -1 && t.indexOf('\r') === -1) return nextLineFeed
  return (i) => (isLineEnd(t.charCodeAt(i)) ? i : runEnd(REST_OF_LINE, t, i))
}

/** `scan`, as columns. */
export function scanColumns(source: string): ScannedColumns {
  const t = normaliseLineEnds(source)
  const n = t.length
  // The first `#` and the first line feed at or after a position: the unquoted value asks from
  // increasing positions, so each remembered answer (see nextIndexOf) saves searching again.
  const nextHash = nextIndexOf(t, '#')
  const nextLineFeed = nextIndexOf(t, '\n')
  const lineEndFrom = lineEndFinder(t, nextLineFeed)

  // `\s*(?:#.*)?(?:$|$)` from position x: the greedy `\s*` runs to the first non-space m; from
  // there a `#` comment or the end of the text ends the match, otherwise the engine backs off to
  // the last line end inside the run of spaces. No line end in the run means no match. Returns
  // where the match ends (-1 for none) and leaves where the comment starts in commentStart.
  let commentStart = -1
  const tail = (x: number): number => {
    const m = skipSpace(t, x)
    commentStart = -1
    if (m === n) return m
    if (t.charCodeAt(m) === HASH) {
      commentStart = m
      return lineEndFrom(m)
    }
    for (let i = m - 1; i >= x; i--) {
      if (isLineEnd(t.charCodeAt(i))) return i
    }
    return -1
  }
  // `tail(x)` in its two usual cases, without a call: at x a character that is neither space nor
  // `#` (no match), or a line end followed by such a character (the match ends at x). -2: neither.
  const quickTail = (x: number): number => {
    const c = t.charCodeAt(x)
    if (c > 0x20 && c < 0xa0 && c !== HASH) return -1
    const d = t.charCodeAt(x + 1)
    return (c === LF || c === 0x2028 || c === 0x2029) && d > 0x20 && d < 0xa0 && d !== HASH ? x : -2
  }

  // `([\w.-]+)(?:\s*=\s*?|:\s+?)`, the optional value group and the tail, with the name starting
  // at s. Returns where the match ends (-1 for none) and leaves what else it found in these
  // variables: it runs once or twice per entry, and an object per call would be garbage.
  let keyEnd = 0
  let valueStart = 0
  let valueEnd = 0
  /** The quote of a value dotenv read as quoted, 0 otherwise. */
  let quote = 0
  let nextQuote = -1
  const fromKey = (s: number): number => {
    const k = runEnd(KEY_RUN, t, s)
    if (k === s) return -1
    let v = k + 1
    if (t.charCodeAt(k) !== EQUALS) {
      // Not the usual `NAME=`.
      const x = skipSpace(t, k)
      if (t.charCodeAt(x) === EQUALS) {
        v = x + 1
      } else if (t.charCodeAt(k) === COLON && isSpace(t.charCodeAt(k + 1))) {
        v = k + 2
      } else {
        return -1
      }
    }
    keyEnd = k
    valueStart = v
    commentStart = -1
    nextQuote = -1

    // The value group, from v (after `=` and the lazy `\s*?`, which always succeeds at zero
    // characters after `=`, and at one character after `:`).
    const c = t.charCodeAt(v)
    const w = c > 0x20 && c < 0xa0 ? v : skipSpace(t, v)
    const open = w === v ? c : t.charCodeAt(w)
    if (open === 0x22 || open === 0x27 || open === 0x60) {
      // `\s*Q(?:\\Q|[^Q])*Q`: the greedy loop runs to the first quote not preceded by a backslash
      // (or to the end of the text); on failure the engine backs off through the backslash-quote
      // pairs it took, from the last to the first, each time trying that quote as the closing one.
      const q = t[w] as Quote
      let escaped: number[] | undefined
      let first = -1
      nextQuote = t.indexOf(q, w + 1)
      for (let j = nextQuote; j !== -1; j = t.indexOf(q, j + 1)) {
        if (t.charCodeAt(j - 1) !== BACKSLASH) {
          first = j
          break
        }
        escaped ??= []
        escaped.push(j)
      }
      let close = first
      let end = first === -1 ? -1 : quickTail(first + 1)
      if (end === -2) end = tail(first + 1)
      for (let k = (escaped?.length ?? 0) - 1; end === -1 && k >= 0; k--) {
        close = (escaped as number[])[k] as number
        end = tail(close + 1)
      }
      if (end !== -1) {
        valueEnd = close + 1
        quote = open
        return end
      }
    }
    // `[^#\r\n]+`, which stops at `#`, a line feed or the end, after which the tail always
    // matches. When it cannot take a character there is no value, and the tail matches at v. (v
    // only grows from one entry to the next, as nextHash and nextLineFeed want.)
    const hash = nextHash(v)
    const lineFeed = nextLineFeed(v)
    valueEnd = hash < lineFeed ? hash : lineFeed
    quote = 0
    const end = quickTail(valueEnd)
    return end >= 0 ? end : tail(valueEnd)
  }

  const keys: string[] = []
  const values: string[] = []
  let starts: Int32Array = new Int32Array(64)
  let exported: Int32Array = new Int32Array(64)
  let valueStarts: Int32Array = new Int32Array(64)
  let valueEnds: Int32Array = new Int32Array(64)
  let quotes: Int32Array = new Int32Array(64)
  let commentStarts: Int32Array = new Int32Array(64)
  let matchEnds: Int32Array = new Int32Array(64)
  let nextQuotes: Int32Array = new Int32Array(64)
  let multilines: Int32Array = new Int32Array(64)
  let count = 0

  // `cook(t.slice(from, to))`, without the intermediate strings in the common cases; it leaves in
  // `multiline` whether the value spans lines. The search for a line end from `from` stops at the
  // first one, which is never past the end of the entry's match.
  let multiline = 0
  const cookAt = (from: number, to: number): string => {
    const c = t.charCodeAt(from)
    if (c <= 0x20 || c >= 0xa0) from = Math.min(skipSpace(t, from), to)
    // (Nothing from `!` to U+009F is space: the range test saves most calls to isSpace.)
    let last = t.charCodeAt(to - 1)
    while (to > from && (last <= 0x20 || last >= 0xa0) && isSpace(last)) last = t.charCodeAt(--to - 1)
    multiline = lineEndFrom(from) < to ? 1 : 0
    if (multiline === 1) return cook(t.slice(from, to))
    // One line: the replacement of `stripQuotes` can only match at its start, and close at its end.
    const q = t.charCodeAt(from)
    const quoted = (q === 0x22 || q === 0x27 || q === 0x60) && to - from >= 2 && last === q
    const value = quoted ? t.slice(from + 1, to - 1) : t.slice(from, to)
    return q === 0x22 ? unescapeLineBreaks(value) : value
  }

  // `(?:^|^)`: the engine tries each position from lastIndex on, and only line starts can match.
  // pos is always one: a match ends at a line end (or the end of the text), and after a failure
  // the search goes on after the line.
  let pos = 0
  while (pos < n) {
    const c = t.charCodeAt(pos)
    const q = c > 0x20 && c < 0xa0 ? pos : skipSpace(t, pos)
    // `(?:export\s+)?` is greedy: first with it, then without (the name is then `export`).
    let keyStart = q
    let end = -1
    if (t.charCodeAt(q) === 0x65 && t.startsWith('export', q) && isSpace(t.charCodeAt(q + 6))) {
      keyStart = skipSpace(t, q + 6)
      end = fromKey(keyStart)
    }
    if (end === -1) {
      keyStart = q
      end = fromKey(q)
    }
    if (end === -1) {
      // Every line start up to q leads to the same failure; go on after q's line.
      pos = lineEndFrom(q) + 1
      continue
    }
    if (count === starts.length) {
      starts = grow(starts)
      exported = grow(exported)
      valueStarts = grow(valueStarts)
      valueEnds = grow(valueEnds)
      quotes = grow(quotes)
      commentStarts = grow(commentStarts)
      matchEnds = grow(matchEnds)
      nextQuotes = grow(nextQuotes)
      multilines = grow(multilines)
    }
    keys[count] = t.slice(keyStart, keyEnd)
    values[count] = cookAt(valueStart, valueEnd)
    multilines[count] = multiline
    starts[count] = q
    exported[count] = keyStart === q ? 0 : 1
    valueStarts[count] = valueStart
    valueEnds[count] = valueEnd
    quotes[count] = quote
    commentStarts[count] = commentStart
    matchEnds[count] = end
    nextQuotes[count] = nextQuote
    count++
    pos = end + 1
  }
  return {
    text: t, count, keys, values, start: starts, exported, valueStart: valueStarts,
    valueEnd: valueEnds, quote: quotes, commentStart: commentStarts, matchEnd: matchEnds, nextQuote: nextQuotes,
    multiline: multilines,
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

const QUOTES: Record<number, Quote> = { 0x27: "'", 0x22: '"', 0x60: '`' }

export function scan(source: string): ScanResult {
  const c = scanColumns(source)
  const entries: ScannedEntry[] = new Array(c.count)
  for (let i = 0; i < c.count; i++) {
    const commentStart = c.commentStart[i] as number
    entries[i] = {
      key: c.keys[i] as string,
      value: c.values[i] as string,
      start: c.start[i] as number,
      valueStart: c.valueStart[i] as number,
      valueEnd: c.valueEnd[i] as number,
      exported: c.exported[i] === 1,
      quote: QUOTES[c.quote[i] as number],
      commentStart: commentStart === -1 ? undefined : commentStart,
      matchEnd: c.matchEnd[i] as number,
    }
  }
  return { text: c.text, entries }
}

/**
 * What dotenv does to a captured value: trim, remove one pair of enclosing quotes (with its
 * `/^(['"`])([\s\S]*)\1$/mg` replacement, which in `m` mode also works line by line), and, when the
 * trimmed value began with a double quote, turn `\n` and `\r` into line breaks.
 */
export function cook(raw: string): string {
  const trimmed = raw.trim()
  const value = stripQuotes(trimmed)
  return trimmed.charCodeAt(0) === 0x22 ? unescapeLineBreaks(value) : value
}

const LINE_BREAK_ESCAPE = /\\[nr]/

/** `\n` and `\r` become a line feed and a carriage return, as in a value that began with `"`. */
function unescapeLineBreaks(value: string): string {
  // Tests first (most values have no backslash): searching for the two characters `\n` in a long
  // run of backslashes costs V8 many times what a search for the character class does.
  return value.indexOf('\\') !== -1 && LINE_BREAK_ESCAPE.test(value)
    ? value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
    : value
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
  return LINE_END.test(s)
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
