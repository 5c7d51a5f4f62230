/**
 * The one reader of the `.env` grammar: a linear-time scanner that finds exactly the entries
 * `dotenv.parse()` (dotenv 18, default mode) finds, with the same values, and records what encode,
 * decode and check need to know about each entry and each line between entries. No other module
 * knows dotenv's grammar: they read these facts.
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

/**
 * What a value that starts with a quote became: `closed`, dotenv removed the quotes; otherwise it
 * kept them, because the quote is never closed on a line that ends the value (`unterminated`) or
 * because text follows the closing quote (`text-after`).
 */
export type QuoteState = 'closed' | 'unterminated' | 'text-after'

/** One `KEY=VALUE` that dotenv reads, with what it looks like in the source. */
export interface Entry {
  kind: 'entry'
  /** The name, as dotenv returns it. */
  key: string
  /** The value, exactly as dotenv returns it. */
  value: string
  /** 1-based line of the name (or of `export`). */
  line: number
  /** Offset of `export` or of the name (after leading white space), in `ScanResult.text`. */
  start: number
  /** Offset just past the value as the expression captured it (past the closing quote if any). */
  valueEnd: number
  /** Offset just past the entry's own text: its last character that is not white space. */
  textEnd: number
  /** Offset where the whole match (value, trailing space, comment) ends: a line end or the end. */
  matchEnd: number
  /** The line began with `export `. */
  exported: boolean
  /** How the name and the value are joined: `NAME=`, `NAME = ` (space around `=`), or `NAME: `. */
  separator: '=' | 'spaced' | ':'
  /** The value (after white space) starts with this quote, whatever dotenv made of it. */
  opening: Quote | undefined
  /** For a value that starts with a quote, whether dotenv removed it (see QuoteState). */
  quoteState: QuoteState | undefined
  /** White space between the separator and the value. */
  spaceBefore: boolean
  /** An unquoted value followed by white space on its line (dotenv trims it). */
  spaceAfter: boolean
  /**
   * A `#` comment on the entry's last line, after the value: [start, end) without the white space
   * at its end. For an unquoted value cut at a `#` with no space before it (`hashCut`), the
   * "comment" is text that dotenv dropped from the value.
   */
  comment: { start: number; end: number } | undefined
  /** An unquoted value that dotenv ended at a `#` with no space before it (compose would not). */
  hashCut: boolean
  /** A double-quoted value with a backslash escape other than `\n` and `\r` (dotenv keeps them). */
  literalEscape: boolean
  /** A byte-order mark among the white space before the name, not at the start of the text. */
  bomBeforeName: boolean
}

/** A run of lines with nothing but white space, between entries or comments. */
export interface BlankLines {
  kind: 'blank'
  /** How many lines. */
  count: number
}

/**
 * A line whose first character (after white space) is `#`; for a commented-out value that runs
 * over several lines, those lines (see `assignment`).
 */
export interface CommentLine {
  kind: 'comment'
  /** The item's first line, and its last: the same line but for a value over several lines. */
  line: number
  lastLine: number
  /**
   * Offset of the first line's start, of its `#`, and of the item's end (the line feed or the end
   * of the text after its last line).
   */
  start: number
  hash: number
  end: number
  /**
   * When the text after `#` is one assignment dotenv would read in the `=` form (`# NAME=value`,
   * `#export NAME="value"`): a commented-out entry, whose value is a secret like any other.
   *
   * A value that opens a quote its line does not close is read on over the comment lines that
   * follow, as if the block were uncommented: each of them gives its text after `#` (and after one
   * space, if there is one), joined by line feeds. When dotenv would then read a quoted value over
   * several lines, the item covers those lines and `value` is that value.
   *
   * When it would not (no comment line closes the quote), the item also covers the comment lines
   * after it that hold no assignment of their own, up to the first that does, and at most up to
   * the one with the first quote of the value's kind (no backslash before it), and `unclosed` is
   * true: `value` is then the first line's value, as dotenv reads that line, then the text of
   * those lines, each after a line feed. No value dotenv would read, but those lines may be key
   * material (`# -----END KEY-----` follows), and so none of them is left in plain text.
   */
  assignment: { key: string; value: string; exported: boolean; unclosed: boolean } | undefined
}

/** A line dotenv does not read: not blank, not a comment, not part of an entry. */
export interface SkippedLine {
  kind: 'skipped'
  line: number
  start: number
  end: number
  /** A name alone (perhaps after `export`), without `=`: a variable someone forgot to give one. */
  bareName: boolean
}

export type ScanItem = Entry | BlankLines | CommentLine | SkippedLine

export interface ScanResult {
  /** The text the offsets refer to: the input with CRLF and lone CR turned into LF. */
  text: string
  /** The input's line ending: CRLF when its first line break is CRLF, LF otherwise. */
  eol: '\n' | '\r\n'
  /** Every entry, in source order, duplicates included (dotenv keeps the last). */
  entries: Entry[]
  /**
   * The whole text line by line, entries included, in source order. Lines that only continue an
   * entry (the rest of a multi-line value, the white space after it) are not items of their own.
   */
  items: ScanItem[]
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
const BOM = 0xfeff

function isQuote(c: number): boolean {
  return c === 0x27 || c === 0x22 || c === 0x60
}

/** The quote a character code is, if it is one (a lookup in an object keyed by codes is a dictionary's). */
function quoteOf(c: number): Quote | undefined {
  return c === 0x27 ? "'" : c === 0x22 ? '"' : c === 0x60 ? '`' : undefined
}

/** CRLF and lone CR become LF, as dotenv does before it parses. */
export function normaliseLineEnds(source: string): string {
  return source.indexOf('\r') === -1 ? source : source.replace(/\r\n?/g, '\n')
}

/** CRLF when the first line break is CRLF, LF otherwise (a lone-CR text is written with LF). */
export function lineEnding(source: string): '\n' | '\r\n' {
  const lf = source.indexOf('\n')
  return lf > 0 && source.charCodeAt(lf - 1) === 0x0d ? '\r\n' : '\n'
}

// A run of characters of a class ends at the first character outside it: each of these finds
// that character, searching from the position put in lastIndex (`test` builds no match object).
// A search costs a fraction of a loop over charCodeAt, and of a sticky `[...]*`, for which V8
// keeps a way back at every character it takes.
const NOT_SPACE = /\S/g
const NOT_KEY = /[^\w.-]/g
const LINE_END_FROM = /[\n\r\u2028\u2029]/g
const LINE_END = /[\n\r\u2028\u2029]/
const BARE_NAME = /^\s*(?:export\s+)?[\w.-]+\s*$/
// A comment that may hold an assignment: `#`, white space, perhaps `export`, a name, then `=`.
const MAYBE_ASSIGNMENT = /^#\s*(?:export\s+)?[\w.-]+\s*=/

/** Where the first character that `re` (one character class, global) finds at or after i is; the end if none. */
export function searchFrom(re: RegExp, t: string, i: number): number {
  re.lastIndex = i
  return re.test(t) ? re.lastIndex - 1 : t.length
}

/** The first position from i that is not `\s` (or the end of the text). */
function skipSpace(t: string, i: number): number {
  const c = t.charCodeAt(i)
  // Nothing from `!` to U+009F is space: most calls end here, or one character further on.
  if (c > 0x20 && c < 0xa0) return i
  if (!isSpace(c)) return i
  const d = t.charCodeAt(i + 1)
  if ((d > 0x20 && d < 0xa0) || !isSpace(d)) return i + 1
  return searchFrom(NOT_SPACE, t, i)
}

/** The position just past the last non-space character before `to`, but not before `from`. */
function trimEndAt(t: string, from: number, to: number): number {
  let last = t.charCodeAt(to - 1)
  while (to > from && (last <= 0x20 || last >= 0xa0) && isSpace(last)) last = t.charCodeAt(--to - 1)
  return to
}

/**
 * A function giving the first `ch` at or after i, or the end of the text. It remembers its last
 * answer, which stays right for any i from where that search started up to the answer: asked at
 * increasing positions, it searches the text about once in all.
 */
function nextIndexOf(t: string, ch: string): (i: number) => number {
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

/** Reads a `.env` text as dotenv does, all at once. */
export function scan(source: string): ScanResult {
  const text = normaliseLineEnds(source)
  const entries: Entry[] = []
  const items: ScanItem[] = []
  scanItems(text, (item) => {
    items.push(item)
    if (item.kind === 'entry') entries.push(item)
  })
  return { text, eol: lineEnding(source), entries, items }
}

/**
 * Reads a `.env` text as dotenv does, item by item: each item goes to `onItem` as soon as it is
 * read, in source order, and is kept by nothing here, so that a pipeline which does not keep them
 * either reads a file of any size in the memory of a few entries. `t` is the text after
 * `normaliseLineEnds`, which the items' offsets refer to.
 */
export function scanItems(t: string, onItem: (item: ScanItem) => void): void {
  readItems(t, onItem, true)
}

/**
 * The entries of a text as scanItems gives them, for a reader that wants nothing else: the
 * comment lines are passed over without reading the assignments they may hold, which no entry
 * depends on (a commented-out value over several lines takes comment lines only).
 */
export function scanEntries(t: string, onEntry: (entry: Entry) => void): void {
  readItems(t, (item) => {
    if (item.kind === 'entry') onEntry(item)
  }, false)
}

function readItems(t: string, onItem: (item: ScanItem) => void, assignments: boolean): void {
  const n = t.length
  const nextHash = nextIndexOf(t, '#')
  const nextLineFeed = nextIndexOf(t, '\n')
  const nextBackslash = nextIndexOf(t, '\\')
  // The first line end of any kind at or after i: a search from i never runs past it, so asked
  // from inside one entry's match (which ends at a line end), it stays within the match.
  const onlyLineFeeds = t.indexOf('\u2028') === -1 && t.indexOf('\u2029') === -1
  const lineEndFrom = onlyLineFeeds ? nextLineFeed : (i: number): number => searchFrom(LINE_END_FROM, t, i)

  // Line numbers, counted forward as the scan goes: `lineAt` is asked at increasing offsets.
  let counted = 0
  let lineNumber = 1
  const lineAt = (offset: number): number => {
    for (let lf = nextLineFeed(counted); lf < offset; lf = nextLineFeed(lf + 1)) lineNumber++
    counted = offset
    return lineNumber
  }

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
  // variables (an object per attempt would be garbage on the way).
  let keyEnd = 0
  let valueStart = 0
  let valueEnd = 0
  let separator: Entry['separator'] = '='
  /** The quote of a value dotenv read as quoted, 0 otherwise. */
  let quote = 0
  let nextQuote = -1
  const fromKey = (s: number): number => {
    const k = searchFrom(NOT_KEY, t, s)
    if (k === s) return -1
    let v = k + 1
    separator = '='
    if (t.charCodeAt(k) !== EQUALS) {
      const x = skipSpace(t, k)
      if (t.charCodeAt(x) === EQUALS) {
        v = x + 1
        separator = 'spaced'
      } else if (t.charCodeAt(k) === COLON && isSpace(t.charCodeAt(k + 1))) {
        v = k + 2
        separator = ':'
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
    if (isQuote(open)) {
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
      for (let e = (escaped?.length ?? 0) - 1; end === -1 && e >= 0; e--) {
        close = (escaped as number[])[e] as number
        end = tail(close + 1)
      }
      if (end !== -1) {
        valueEnd = close + 1
        quote = open
        return end
      }
    }
    // `[^#\r\n]+`, which stops at `#`, a line feed or the end, after which the tail always
    // matches. When it cannot take a character there is no value, and the tail matches at v.
    const hash = nextHash(v)
    const lineFeed = nextLineFeed(v)
    valueEnd = hash < lineFeed ? hash : lineFeed
    quote = 0
    const end = quickTail(valueEnd)
    return end >= 0 ? end : tail(valueEnd)
  }

  // A run of blank lines is one item, given when the run ends: `blanks` is the run counted so far.
  let blanks = 0
  const blank = (): void => {
    blanks++
  }
  const push = (item: ScanItem): void => {
    if (blanks !== 0) endBlanks()
    onItem(item)
  }
  const endBlanks = (): void => {
    const run: BlankLines = { kind: 'blank', count: blanks }
    blanks = 0
    onItem(run)
  }

  // The text between two entries (or the start or end of the text), line by line: blank lines,
  // comments, and lines dotenv does not read. The rest of the previous entry's line and the white
  // space before the next entry's name are not lines of their own.
  const gap = (from: number, to: number): void => {
    let start = from
    // The first character that is not white space, from `start` on (searched again once passed).
    let solid = -1
    for (;;) {
      if (solid < start) solid = skipSpace(t, start)
      if (solid >= to) {
        blanks += blankLinesTo(from, start, to)
        break
      }
      const lineFeed = nextLineFeed(start)
      const end = lineFeed < to ? lineFeed : to
      const afterEntry = start === from && from > 0 && t.charCodeAt(from - 1) !== LF
      const beforeEntry = end === to && to < n
      let first = start
      while (first < end && isSpace(t.charCodeAt(first))) first++
      if (first === end) {
        const lastEmpty = end === to && to === n && start === end
        if (!afterEntry && !beforeEntry && !lastEmpty) blank()
      } else if (t.charCodeAt(first) === HASH && !afterEntry) {
        const item = commentAt(start, first, end, to)
        push(item)
        // A commented-out value over several lines takes them all.
        if (item.end === to) break
        start = item.end + 1
        continue
      } else {
        push({ kind: 'skipped', line: lineAt(start), start, end, bareName: BARE_NAME.test(t.slice(start, end)) })
      }
      if (end === to) break
      start = end + 1
    }
  }

  // The next quote of each kind at or after a position, for the commented-out values that open
  // one (asked at increasing positions for each kind: see commentAt). Made when first needed: the
  // scans of one line's text that commentedEntry makes need none.
  let nextQuoteOf: Record<number, (i: number) => number> | undefined
  // The last comment line commentAt read, and what it holds: the line after a value is read to
  // see whether it holds an assignment of its own, and then again as an item.
  let lastHash = -1
  let lastRead: ReturnType<typeof commentedEntry>
  function commentedAt(hash: number, end: number): ReturnType<typeof commentedEntry> {
    if (hash !== lastHash) {
      lastHash = hash
      lastRead = commentedEntry(t, hash, end)
    }
    return lastRead
  }

  /**
   * The comment item of the comment line [start, end) whose `#` is at `hash`, in a gap that ends at
   * `to`: one line, or a commented-out value and the comment lines it runs over (see CommentLine).
   *
   * dotenv, reading such a value uncommented, closes its quote at the first quote of its kind that
   * has no backslash before it, or, when the text after that one is not the end of a line, at one
   * of the quotes with a backslash before it, the last first (see fromKey). So only the lines up to
   * the one that holds that first quote (or, if none does, up to the end of the comment block)
   * count, and they are read, joined, by scan, when one of their quotes is followed by the end of
   * its line (or a comment), as a closing quote must be. Linear in all: the quote searched for on
   * those lines is the first after the opening, so the next value that opens the same kind of
   * quote opens it there or further on, and the lines it reads are the ones after; each line is
   * read for at most two values of each kind of quote.
   */
  function commentAt(start: number, hash: number, end: number, to: number): CommentLine {
    const line = lineAt(start)
    const item: CommentLine = { kind: 'comment', line, lastLine: line, start, hash, end, assignment: undefined }
    if (!assignments) return item
    const one = commentedAt(hash, end)
    if (one === undefined) return item
    const entry = one.entry
    let quoteAt = one.quoteAt
    item.assignment = { key: entry.key, value: entry.value, exported: entry.exported, unclosed: false }
    if (end === to) return item
    // `# K=` with nothing after it: the `\s*` before a quoted value runs on over line breaks, so
    // uncommented, a quote that starts the next comment line that is not blank opens the value.
    // Only a quote that closes makes it a value (otherwise dotenv reads K= and skips the lines).
    const onLaterLine = quoteAt === -1 && entry.opening === undefined && entry.value === '' && entry.comment === undefined
    if (onLaterLine) quoteAt = quoteOnLaterLine(end, to)
    if (quoteAt === -1) return item
    // The first quote of the value's kind without a backslash before it, after the opening one.
    nextQuoteOf ??= { 0x27: nextIndexOf(t, "'"), 0x22: nextIndexOf(t, '"'), 0x60: nextIndexOf(t, '`') }
    const next = nextQuoteOf[t.charCodeAt(quoteAt)] as (i: number) => number
    let close = next(quoteAt + 1)
    while (close < end && t.charCodeAt(close - 1) === BACKSLASH) close = next(close + 1)
    // On the value's own line: the line, read on its own, is what dotenv reads.
    if (close < end) return item

    // The lines after, while they are comment lines: the text after `#` and one space, and where
    // each ends, up to the line that holds that quote; and whether one of the quotes on them
    // could close the value.
    const texts = [t.slice(hash + 1, end)]
    const ends = [end]
    let closable = false
    let found = false
    for (let from = end + 1, lineEnd = end; !found && lineEnd < to; from = lineEnd + 1) {
      const lineFeed = nextLineFeed(from)
      lineEnd = lineFeed < to ? lineFeed : to
      let h = from
      while (h < lineEnd && isSpace(t.charCodeAt(h))) h++
      if (h === lineEnd || t.charCodeAt(h) !== HASH) break
      texts.push(t.slice(t.charCodeAt(h + 1) === 0x20 ? h + 2 : h + 1, lineEnd))
      ends.push(lineEnd)
      for (; close < lineEnd; close = next(close + 1)) {
        if (!closable) closable = endsLine(t, close + 1, lineEnd)
        if (t.charCodeAt(close - 1) !== BACKSLASH) {
          found = true
          break
        }
      }
    }
    if (texts.length === 1) return item

    if (closable) {
      // The block uncommented, read as commentedEntry reads one line: where its value ends tells
      // the lines it covers.
      const joined = unicodeLineEndsAsSpaces(texts.join('\n'))
      const inner = scan(joined)
      const e = inner.entries[0]
      let last = 0
      if (e !== undefined && inner.items[0] === e && e.key === entry.key) {
        for (let at = (texts[0] as string).length; at < e.valueEnd; at += (texts[last] as string).length + 1) last++
      }
      if (last > 0) {
        item.end = ends[last] as number
        item.lastLine = lineAt(item.end)
        item.assignment.value = (e as Entry).value
        return item
      }
    }

    if (onLaterLine) return item
    // No value over several lines. When the line closed the quote (at one with a backslash
    // before it), dotenv reads it as it is; otherwise the quote is never closed, and the lines
    // after that hold no assignment of their own still go with it, so that none of them is
    // copied in plain text.
    if (entry.quoteState === 'closed') return item
    let taken = 0
    for (let k = 1; k < texts.length; k++) {
      const lineEnd = ends[k] as number
      if (commentedAt(skipSpace(t, (ends[k - 1] as number) + 1), lineEnd) !== undefined) break
      taken = k
    }
    if (taken === 0) return item
    item.end = ends[taken] as number
    item.lastLine = lineAt(item.end)
    item.assignment.value = entry.value + '\n' + unicodeLineEndsAsSpaces(texts.slice(1, taken + 1).join('\n'))
    item.assignment.unclosed = true
    return item
  }

  /**
   * The quote that starts the first comment line after `end` with more than white space after
   * its `#`, when the lines up to it are comment lines; -1 if there is none.
   */
  function quoteOnLaterLine(end: number, to: number): number {
    for (let from = end + 1; from < to;) {
      const lineFeed = nextLineFeed(from)
      const lineEnd = lineFeed < to ? lineFeed : to
      const q = commentQuote(t.slice(from, lineEnd))
      if (q !== BLANK_COMMENT) return q === NO_QUOTE ? -1 : from + q
      from = lineEnd + 1
    }
    return -1
  }

  // The lines from `start` to `to`, all of them white space only, as the loop above would count
  // them (the rest of an entry's line, the indentation before the next one and the empty end of
  // the text are no blank lines), by their line feeds: half a million blank lines cost a
  // search each rather than a turn of the loop.
  const blankLinesTo = (from: number, start: number, to: number): number => {
    let lines = 1
    let last = start
    // The first line feed through nextLineFeed: where entries share a line (joined by U+2028),
    // a search from each gap would run to the end of that line, quadratic over it. The others by
    // indexOf: each of those searches ends at the next line feed, so none covers a character that
    // another one covers.
    for (let lf = nextLineFeed(start); lf < to; lf = t.indexOf('\n', lf + 1), lf = lf === -1 ? n : lf) {
      lines++
      last = lf + 1
    }
    if (start === from && from > 0 && t.charCodeAt(from - 1) !== LF) lines--
    if (to < n || last === to) lines--
    return lines < 0 ? 0 : lines
  }

  // `(?:^|^)`: the engine tries each position from lastIndex on, and only line starts can match.
  // pos is always one: a match ends at a line end (or the end of the text), and after a failure
  // the search goes on after the line.
  let pos = 0
  let cursor = 0
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
    // The gap adds nothing when it is the one line feed that ends the previous entry's line, or
    // when entries share a line: the usual cases, told without a call.
    if (cursor < q && !(q === cursor + 1 && t.charCodeAt(cursor) === LF && cursor > 0 && t.charCodeAt(cursor - 1) !== LF)) {
      gap(cursor, q)
    }
    const entry = readEntry(q, keyStart, end)
    push(entry)
    cursor = entry.comment !== undefined ? end : entry.textEnd
    pos = end + 1
  }
  if (cursor < n) gap(cursor, n)
  if (blanks !== 0) endBlanks()

  /** The entry fromKey found, with its facts. */
  function readEntry(q: number, keyStart: number, end: number): Entry {
    const exported = keyStart !== q
    // The captured value, trimmed, is t[first, last).
    const first = Math.min(skipSpace(t, valueStart), valueEnd)
    const last = trimEndAt(t, first, valueEnd)
    const multiline = lineEndFrom(first) < last
    const open = first < last ? t.charCodeAt(first) : 0
    const opening = quoteOf(open)
    let value: string
    let quoteState: QuoteState | undefined
    let literalEscape = false
    if (!multiline) {
      // One line: the replacement of `stripQuotes` can only match at its start, and close at its end.
      const closed = opening !== undefined && last - first >= 2 && t.charCodeAt(last - 1) === open
      value = closed ? t.slice(first + 1, last - 1) : t.slice(first, last)
      if (opening !== undefined) quoteState = closed ? 'closed' : textAfterQuote(last) ? 'text-after' : 'unterminated'
    } else {
      const raw = t.slice(first, last)
      value = stripQuotes(raw)
      if (opening !== undefined) {
        quoteState = value.length !== raw.length ? 'closed' : textAfterQuote(last) ? 'text-after' : 'unterminated'
      }
    }
    if (open === 0x22 && nextBackslash(first) < last) {
      literalEscape = /\\(?![nr])/.test(value)
      value = unescapeLineBreaks(value)
    }
    const cs = commentStart
    const hashCut = quote === 0 && cs !== -1 && cs === valueEnd && !isSpace(t.charCodeAt(valueEnd - 1))
    // A comment on the value's last line; one on a later line (the tail's `\s*` crosses line
    // breaks) is a comment line of its own.
    // The entry's own text ends at its last non-space character: with `KEY:` the space after the
    // colon may be a line break, and what follows it belongs to the next lines.
    const textEnd = trimEndAt(t, q, valueEnd)
    const comment = cs !== -1 && !hasLineFeed(t, textEnd, cs) ? { start: cs, end: trimEndAt(t, cs, end) } : undefined
    let bomBeforeName = false
    for (let i = q - 1; i > 0 && t.charCodeAt(i) !== LF && isSpace(t.charCodeAt(i)); i--) {
      if (t.charCodeAt(i) === BOM) bomBeforeName = true
    }
    return {
      kind: 'entry',
      key: t.slice(keyStart, keyEnd),
      value,
      line: lineAt(q),
      start: q,
      valueEnd,
      textEnd,
      matchEnd: end,
      exported,
      separator,
      opening,
      quoteState,
      spaceBefore: first > valueStart,
      spaceAfter: quote === 0 && last < valueEnd,
      comment,
      hashCut,
      literalEscape,
      bomBeforeName,
    }
  }

  /**
   * Whether a value that kept its opening quote did so because text follows a closing quote: the
   * scanner saw the next quote of that kind inside the value.
   */
  function textAfterQuote(last: number): boolean {
    return nextQuote !== -1 && nextQuote < last
  }
}

/**
 * A comment's text with U+2028 and U+2029, which end lines to dotenv, as spaces: read or written
 * so, nothing after them in a comment can become an entry.
 */
export function unicodeLineEndsAsSpaces(text: string): string {
  return /[\u2028\u2029]/.test(text) ? text.replace(/[\u2028\u2029]/g, ' ') : text
}

/**
 * The assignment a comment holds (`# OLD_A=secret`), read as the comment's own line would be
 * (see CommentLine): for the comment after an entry, which encode writes on a line of its own.
 * One test of the text for most comments, which hold none.
 */
export function commentAssignment(comment: string): CommentLine['assignment'] {
  if (!MAYBE_ASSIGNMENT.test(comment)) return undefined
  const item = scan(comment).items[0]
  return item?.kind === 'comment' ? item.assignment : undefined
}

/** commentQuote of a comment line with nothing but white space after `#`. */
export const BLANK_COMMENT = -1
/** commentQuote of any other line that does not start with a quote after `#`. */
export const NO_QUOTE = -2

/**
 * What a `# K=` with nothing after `=` reads of a line after it: dotenv's `\s*` before a quoted
 * value runs on over line breaks, so uncommented, the first comment line after it that is not
 * blank opens the value if its text after `#` starts with a quote (see commentAt). The offset in
 * `line` (one line) of that quote; BLANK_COMMENT for a comment line with nothing after `#`, which
 * is passed over; NO_QUOTE for any other line.
 */
export function commentQuote(line: string): number {
  let h = 0
  while (h < line.length && isSpace(line.charCodeAt(h))) h++
  if (h === line.length || line.charCodeAt(h) !== HASH) return NO_QUOTE
  let c = h + 1
  while (c < line.length && isSpace(line.charCodeAt(c))) c++
  if (c === line.length) return BLANK_COMMENT
  return isQuote(line.charCodeAt(c)) ? c : NO_QUOTE
}

/**
 * Whether the comment lines after the one that ends at `end` (a line feed or the end of `t`) open
 * a quote as commentQuote reads them: a `# K=` written there must be `# K=''`.
 */
export function quoteOnNextComment(t: string, end: number): boolean {
  for (let from = end + 1; from <= t.length;) {
    let lineEnd = t.indexOf('\n', from)
    if (lineEnd === -1) lineEnd = t.length
    const q = commentQuote(t.slice(from, lineEnd))
    if (q !== BLANK_COMMENT) return q !== NO_QUOTE
    from = lineEnd + 1
  }
  return false
}

/** Whether nothing but white space, and perhaps a `#` comment, follows p on its line (which ends at lineEnd): dotenv's tail matches there. */
function endsLine(t: string, p: number, lineEnd: number): boolean {
  let m = p
  while (m < lineEnd && isSpace(t.charCodeAt(m))) m++
  return m === lineEnd || t.charCodeAt(m) === HASH
}

// A search bounded by hand: indexOf cannot stop at `to`, and running on past it for every entry
// is quadratic on inputs whose entries share a line. It runs over the space after a value only.
function hasLineFeed(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (t.charCodeAt(i) === LF) return true
  return false
}

/**
 * The assignment a comment line holds (`# NAME=value` as dotenv would read it), if any: the entry
 * its text after `#` is, read on its own, and the offset in `t` of the quote its value opens with,
 * or -1 when there is none or when the line closes it at a quote with no backslash before it
 * (the first such quote, where dotenv's greedy loop stops: nothing after it counts).
 */
function commentedEntry(t: string, hash: number, end: number): { entry: Entry; quoteAt: number } | undefined {
  const body = t.slice(hash, end)
  if (!MAYBE_ASSIGNMENT.test(body)) return undefined
  // The line after `#`, read on its own: one entry, in the `=` form, starting the line.
  const text = unicodeLineEndsAsSpaces(body.slice(1))
  const inner = scan(text)
  const e = inner.entries[0]
  if (inner.entries.length !== 1 || e === undefined || e.separator === ':' || inner.items[0] !== e) return undefined
  if (e.opening === undefined || (e.quoteState === 'closed' && text.charCodeAt(e.valueEnd - 2) !== BACKSLASH)) {
    return { entry: e, quoteAt: -1 }
  }
  // The value starts with its quote: nothing but `=` and white space between the name and it.
  const quoteAt = hash + 1 + text.indexOf(e.opening, keyStart(text, e) + e.key.length)
  return { entry: e, quoteAt }
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
function stripQuotes(s: string): string {
  const n = s.length
  if (n < 2) return s
  if (!LINE_END.test(s)) {
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

/** Where an entry's name starts in the text: after `export` and the white space after it, which hold none of its characters. */
export function keyStart(t: string, e: Entry): number {
  return e.exported ? t.indexOf(e.key, e.start + 6) : e.start
}

/**
 * Whether dotenv drops an entry of this name: it parses into a plain object, where assigning a
 * string to `__proto__` does nothing.
 */
export function isIgnoredName(key: string): boolean {
  return key === '__proto__'
}

/** The name → value map dotenv returns: the last definition wins; isIgnoredName's are dropped. */
export function toRecord(entries: readonly Entry[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of entries) {
    if (isIgnoredName(e.key)) continue
    out[e.key] = e.value
  }
  return out
}
