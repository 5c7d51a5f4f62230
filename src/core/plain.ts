import type { Diagnostic } from './diagnostics.js'
import { SECRET_PREFIX, type EncodedEntry } from './encode.js'
import { KUBECTL_MAX_LINE_BYTES } from './formats/limits.js'

/**
 * The fast path of `encode` for plain files, straight from bytes to bytes.
 *
 * Most `.env` files hold nothing but `NAME=value` lines, `#` comment lines and blank lines. For
 * those, `encodeEnv` does far more than the output needs: strings, objects and diagnostics for
 * every entry, which on a 100,000-entry file cost ten times the encoding itself. This module
 * reads only that plain subset, and writes the same bytes `encodeEnv` would, with the same
 * diagnostics; on anything else it returns undefined, and the caller runs `encodeEnv`.
 *
 * A file is plain when every line (LF or CRLF, no lone CR, no BOM) is one of:
 * - blank: only space, tab, vertical tab or form feed;
 * - a comment: such space, then `#`, with neither U+2028 nor U+2029 (dotenv ends lines there) and
 *   not ending in a non-ASCII character (it could be a space `trimEnd` removes);
 * - an entry `NAME=value` at the start of the line: the name of ASCII letters, digits and `_`,
 *   neither `__proto__` nor starting with `SECRET_` in any case, and not defined twice in any
 *   case; the value empty, or starting with a printable ASCII character other than a quote or
 *   `#`, ending with a printable ASCII character, with no `#`, U+2028 or U+2029 in it.
 * dotenv reads each such entry as exactly the bytes of its value, and `encodeEnv` gives no
 * diagnostic on such a file but `no-entries`. A property test holds this module to `encodeEnv`.
 */
export interface PlainEncoding {
  /** The `.env_encoded` text, as UTF-8 bytes. */
  bytes: Buffer
  /** How many secrets it holds. */
  count: number
  /** What `encodeEnv` reports on the file (at most `no-entries`). */
  diagnostics: Diagnostic[]
  /** The entries whose output line is long enough to matter to `checkLimits`. */
  long: EncodedEntry[]
}

const NO_ENTRIES_MESSAGE = 'no KEY=VALUE entries found: the output holds no secret'

const LF = 0x0a
const CR = 0x0d
const HASH = 0x23
const EQUALS = 0x3d
const NEVER = Number.MAX_SAFE_INTEGER

// What the loops over a line need to know of a byte, as bit flags.
const NAME = 1 // [A-Za-z0-9_]
const SPACE = 2 // ASCII white space other than line breaks: space, \t, \v, \f
const EDGE = 4 // may end a value: printable ASCII but space
const OPEN = 8 // may start a value: as EDGE, but not a quote or #
const BYTE_CLASS = new Uint8Array(256)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/\w/.test(ch)) BYTE_CLASS[c]! |= NAME
  if (c > 0x20 && c < 0x7f) BYTE_CLASS[c]! |= EDGE | (/['"`#]/.test(ch) ? 0 : OPEN)
}
for (const c of [0x20, 0x09, 0x0b, 0x0c]) BYTE_CLASS[c]! |= SPACE

const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1')
const PREFIX = Buffer.from(SECRET_PREFIX, 'latin1')
const LINE_SEPARATORS = [Buffer.from('\u2028', 'utf8'), Buffer.from('\u2029', 'utf8')]

/**
 * The plain-file encoding of `input`, or undefined when `encodeEnv` must decide.
 *
 * Values are never looked at byte by byte in JavaScript: the line breaks, `#`s and CRs are found
 * by Buffer's native search, and only the ends of names and values are read here. On a file of
 * 100,000 entries that is what makes this path a few times faster than any loop over every byte,
 * above all in a process that runs the code once, before the JIT has optimized it.
 */
export function encodePlain(input: Uint8Array): PlainEncoding | undefined {
  const n = input.length
  const b = Buffer.from(input.buffer, input.byteOffset, n)
  if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return undefined
  // NUL (a binary file), and the line separators dotenv ends lines at: never plain.
  if (b.indexOf(0) !== -1 || LINE_SEPARATORS.some((sep) => b.indexOf(sep) !== -1)) return undefined
  const result = encodeLines(b)
  if (result === undefined) return undefined
  if (result.count === 0) {
    result.diagnostics.push({ code: 'no-entries', severity: 'warning', message: NO_ENTRIES_MESSAGE })
  }
  return result
}

/**
 * Encodes every line; undefined as soon as a line is not plain. One function whose state is all
 * in local variables, rare cases aside: in a process that runs it once, most of its time is spent
 * before the JIT has optimized it, where every call and property access costs.
 */
function encodeLines(b: Buffer): PlainEncoding | undefined {
  const CLASS = BYTE_CLASS
  const A = ALPHABET
  const n = b.length
  const firstLf = b.indexOf(LF)
  const crlf = firstLf > 0 && b[firstLf - 1] === CR

  // The output. Base64 makes 4 bytes of 3 and each entry gains the prefix: 3/2 of the input is
  // enough for most files. A Buffer drops writes past its end without a word: every write below
  // makes room first.
  let out: Buffer = Buffer.allocUnsafe(Math.ceil(n * 1.5) + 4096)
  let o = 0
  let long: EncodedEntry[] | undefined

  // The names so far, by their upper-case form: an open-addressing table of entry numbers + 1,
  // sized for the lines of the file at a load of at most a half, and no larger: a table beyond
  // the CPU's cache costs a cache miss for every name.
  let slots: Int32Array = new Int32Array(1 << Math.max(4, Math.ceil(Math.log2(estimateLines(b) * 2))))
  let bounds: Int32Array = new Int32Array(slots.length) // start and end of each name
  let count = 0

  // The next `#` and CR at or after the current line (NEVER when there is none): each must be
  // where a plain file may have one, a comment's `#` or a CR right before LF.
  let hash = b.indexOf(HASH)
  if (hash === -1) hash = NEVER
  let cr = b.indexOf(CR)
  if (cr === -1) cr = NEVER

  let line = 1
  let s = 0
  while (s < n) {
    let e = b.indexOf(LF, s)
    if (e === -1) e = n
    let end = e
    if (cr < e) {
      if (cr !== e - 1 || e === n) return undefined
      end = e - 1
      cr = b.indexOf(CR, e)
      if (cr === -1) cr = NEVER
    }
    let c = b[s] as number
    if (CLASS[c]! & NAME) {
      // An entry `NAME=value`, with no `#` anywhere.
      if (hash < e) return undefined
      let i = s
      let h = 0x811c9dc5
      do {
        h = Math.imul(h ^ (c >= 0x61 ? c - 0x20 : c), 0x01000193)
        c = b[++i] as number
      } while (i < end && CLASS[c]! & NAME)
      if (i === end || c !== EQUALS) return undefined
      const nameEnd = i
      if (!plainName(b, s, nameEnd)) return undefined
      const v = i + 1
      // An empty value needs no look ahead: dotenv's `\s*` then runs on over line breaks, and
      // would read a quoted value on a later line, but a line that starts with a quote (or with
      // non-ASCII space) is not plain.
      if (v < end && (!(CLASS[b[v] as number]! & OPEN) || !(CLASS[b[end - 1] as number]! & EDGE))) return undefined

      // Defined before, in any case? dotenv keeps the last; encodeEnv reports it: not plain.
      if ((count + 1) * 2 > slots.length) {
        slots = rehash(b, bounds, count, slots.length * 2)
        const more = new Int32Array(slots.length)
        more.set(bounds)
        bounds = more
      }
      const mask = slots.length - 1
      let slot = h & mask
      for (let other = slots[slot] as number; other !== 0; other = slots[slot] as number) {
        if (sameName(b, bounds[other * 2 - 2] as number, bounds[other * 2 - 1] as number, s, nameEnd)) return undefined
        slot = (slot + 1) & mask
      }
      bounds[count * 2] = s
      bounds[count * 2 + 1] = nameEnd
      slots[slot] = ++count

      // SECRET_<name>=<base64 of the value>
      const size = PREFIX.length + v - s + Math.ceil((end - v) / 3) * 4
      if (o + size + 2 > out.length) out = grow(out, o, size + 2)
      const lineStart = o
      for (let k = 0; k < PREFIX.length; k++) out[o++] = PREFIX[k] as number
      for (let k = s; k < v; k++) out[o++] = b[k] as number
      const encoded = o
      let k = v
      for (; k + 2 < end; k += 3) {
        const x = ((b[k] as number) << 16) | ((b[k + 1] as number) << 8) | (b[k + 2] as number)
        out[o] = A[x >>> 18] as number
        out[o + 1] = A[(x >>> 12) & 63] as number
        out[o + 2] = A[(x >>> 6) & 63] as number
        out[o + 3] = A[x & 63] as number
        o += 4
      }
      if (k < end) {
        // The last one or two bytes, padded with `=`.
        const x = ((b[k] as number) << 16) | (k + 1 < end ? (b[k + 1] as number) << 8 : 0)
        out[o] = A[x >>> 18] as number
        out[o + 1] = A[(x >>> 12) & 63] as number
        out[o + 2] = k + 1 < end ? A[(x >>> 6) & 63] as number : EQUALS
        out[o + 3] = EQUALS
        o += 4
      }
      if (o - lineStart + 1 >= KUBECTL_MAX_LINE_BYTES) {
        // Long enough for checkLimits to look at: it gets the entry as encodeEnv would give it.
        long ??= []
        long.push(longEntry(b, s, nameEnd, out.toString('latin1', encoded, o), line))
      }
    } else {
      // White space, then a comment or nothing.
      let i = s
      while (i < end && CLASS[c]! & SPACE) c = b[++i] as number
      let to = s
      if (i < end) {
        if (i !== hash) return undefined
        // A comment, copied from the start of the line to its last non-space character, which
        // must be ASCII: a non-ASCII one might be white space that encodeEnv trims.
        to = end
        while (CLASS[b[to - 1] as number]! & SPACE) to--
        if ((b[to - 1] as number) >= 0x80) return undefined
        hash = b.indexOf(HASH, e)
        if (hash === -1) hash = NEVER
      } else if (e === n && s === n) {
        break
      }
      if (o + to - s + 2 > out.length) out = grow(out, o, to - s + 2)
      o += b.copy(out, o, s, to)
    }
    if (crlf) out[o++] = CR
    out[o++] = LF
    s = e + 1
    line++
  }
  return { bytes: out.subarray(0, o), count, diagnostics: [], long: long ?? [] }
}

/** A copy of the output so far in a buffer with room for `more` bytes after `used`. */
function grow(out: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + more))
  out.copy(bigger, 0, 0, used)
  return bigger
}

/** A table of `size` slots holding the first `count` names of `bounds`. */
function rehash(b: Uint8Array, bounds: Int32Array, count: number, size: number): Int32Array {
  const slots = new Int32Array(size)
  const mask = size - 1
  for (let k = 0; k < count; k++) {
    let slot = nameHash(b, bounds[k * 2] as number, bounds[k * 2 + 1] as number) & mask
    while (slots[slot] !== 0) slot = (slot + 1) & mask
    slots[slot] = k + 1
  }
  return slots
}

function longEntry(b: Buffer, name: number, nameEnd: number, encoded: string, line: number): EncodedEntry {
  const key = b.toString('latin1', name, nameEnd)
  return { name: key, variable: SECRET_PREFIX + key, encoded, line }
}

/** The number of lines of the file, estimated from its first 64 KiB. */
function estimateLines(b: Buffer): number {
  const sample = Math.min(b.length, 64 * 1024)
  let lines = 1
  for (let i = b.indexOf(LF); i !== -1 && i < sample; i = b.indexOf(LF, i + 1)) lines++
  return Math.ceil(lines * (b.length / Math.max(sample, 1)))
}

/** FNV-1a of the upper-case form of a name (ASCII letters, digits and `_`), as encodeLines hashes. */
function nameHash(b: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5
  for (let k = from; k < to; k++) {
    const c = b[k] as number
    hash = Math.imul(hash ^ (c >= 0x61 ? c - 0x20 : c), 0x01000193)
  }
  return hash
}

/** Neither `__proto__` (dotenv drops it) nor `SECRET_…` in any case (a warning): not plain. */
function plainName(b: Uint8Array, from: number, to: number): boolean {
  const length = to - from
  if (length === 9 && b[from] === 0x5f) return String.fromCharCode(...b.subarray(from, to)) !== '__proto__'
  if (length < PREFIX.length || (b[from]! | 0x20) !== 0x73) return true
  for (let k = 1; k < PREFIX.length; k++) {
    const c = b[from + k] as number
    if ((c >= 0x61 ? c - 0x20 : c) !== PREFIX[k]) return true
  }
  return false
}

/** Whether two names are one to Kestra, which upper-cases them. */
function sameName(b: Uint8Array, a: number, aEnd: number, x: number, xEnd: number): boolean {
  if (aEnd - a !== xEnd - x) return false
  for (; a < aEnd; a++, x++) {
    const p = b[a] as number
    const q = b[x] as number
    if (p !== q && (p | 0x20) !== (q | 0x20)) return false
  }
  return true
}

