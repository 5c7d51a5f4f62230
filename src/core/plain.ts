import { NO_ENTRIES_MESSAGE, type Diagnostic } from './diagnostics.js'
import { SECRET_PREFIX, unterminatedQuote, type EncodedEntry } from './encode.js'
import { PLAIN_WASM } from './plain-wasm.js'

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
 *   case; with neither NUL, U+2028 nor U+2029 in the line, and one of these values:
 *   - unquoted: empty, or starting with a printable ASCII character other than a quote or `#`,
 *     ending with a printable ASCII character, with no `#` in it;
 *   - quoted on its line: a quote (`"`, `'` or a backquote), anything but that quote, the same
 *     quote with no backslash before it, then nothing but space; no backslash inside double
 *     quotes (dotenv turns `\n` and `\r` there into line breaks);
 *   - an unclosed quote: a quote that no later quote of its kind closes, because there is none,
 *     or the next one is followed by a printable ASCII character other than `#` and has no
 *     backslash before it; the rest of the line then as an unquoted value (no backslash after
 *     a double quote). dotenv keeps the quote in the value, and `encodeEnv` warns.
 * dotenv reads each such entry as exactly the bytes of its value (inside the quotes, for a quoted
 * one), and `encodeEnv` gives no diagnostic on such a file but `no-entries` and
 * `unterminated-quote`. A property test holds this module to `encodeEnv`.
 */
export interface PlainEncoding {
  /** The `.env_encoded` text, as UTF-8 bytes. */
  bytes: Buffer
  /** How many secrets it holds. */
  count: number
  /** What `encodeEnv` reports on the file: `no-entries`, or `unterminated-quote` for each unclosed quote. */
  diagnostics: Diagnostic[]
  /** The entries whose output line is long enough to matter to `checkLimits`. */
  long: EncodedEntry[]
}

const LF = 0x0a
const CR = 0x0d

// The class of each byte, as bit flags (plain.wat reads this table).
const NAME = 1 // [A-Za-z0-9_]
const SPACE = 2 // ASCII white space other than line breaks: space, \t, \v, \f
const EDGE = 4 // may end a value: printable ASCII but space
const OPEN = 8 // may start an unquoted value: as EDGE, but not a quote or #
const STOP = 16 // looked at in a value: LF, CR, NUL, #, backslash, quotes, 0xE2 (U+2028 and U+2029)
/** The class of each byte value, made on first use: most runs never take the fast path. */
function byteClasses(): Uint8Array {
  const classes = new Uint8Array(256)
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c)
    if (/\w/.test(ch)) classes[c]! |= NAME
    if (c > 0x20 && c < 0x7f) classes[c]! |= EDGE | (/['"`#]/.test(ch) ? 0 : OPEN)
  }
  for (const c of [0x20, 0x09, 0x0b, 0x0c]) classes[c]! |= SPACE
  for (const c of [0x0a, 0x0d, 0x00, 0x23, 0x5c, 0x22, 0x27, 0x60, 0xe2]) classes[c]! |= STOP
  return classes
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

// The little of the WebAssembly API used here: its types are in lib.dom, which this package does
// not load.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports: object)
    readonly exports: object
  }
  class Memory {
    readonly buffer: ArrayBuffer
    grow(pages: number): number
  }
  class Global {
    value: number
  }
}

/** What plain.wat exports. */
interface PlainExports {
  memory: WebAssembly.Memory
  o: WebAssembly.Global
  count: WebAssembly.Global
  longCount: WebAssembly.Global
  warnCount: WebAssembly.Global
  names: WebAssembly.Global
  encode(p: number, stop: number, end: number, crlf: number, slots: number, mask: number, bounds: number,
    longs: number, longCap: number, warns: number): number
}

let compiled: WebAssembly.Module | undefined
let tables: Uint8Array | undefined

/**
 * The plain-file encoding of `input`, or undefined when `encodeEnv` must decide.
 *
 * The loop over the lines is WebAssembly (plain.wat): the CLI runs it once per process, and
 * JavaScript would spend most of a large file in the interpreter before the JIT optimized it.
 * Each call gets its own instance, so its memory goes when the result does.
 */
export function encodePlain(input: Uint8Array): PlainEncoding | undefined {
  const n = input.length
  const b = Buffer.from(input.buffer, input.byteOffset, n)
  if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return undefined
  const firstLf = b.indexOf(LF)
  const crlf = firstLf > 0 && b[firstLf - 1] === CR
  // A table of names for the estimated lines at a load of at most a half, and no larger: a table
  // beyond the CPU's cache costs a cache miss for every name. Too small, and the run starts over.
  let slots = 1 << Math.max(4, Math.ceil(Math.log2(estimateLines(b) * 2)))
  let longCap = 64
  for (;;) {
    const result = run(b, crlf, slots, longCap)
    if (result === -3) slots *= 2
    else if (result === -4) longCap *= 16
    else return result === -1 ? undefined : result
  }
}

function run(b: Buffer, crlf: boolean, slotCount: number, longCap: number): PlainEncoding | -1 | -3 | -4 {
  compiled ??= new WebAssembly.Module(Buffer.from(PLAIN_WASM, 'base64'))
  const wasm = new WebAssembly.Instance(compiled, {}).exports as unknown as PlainExports
  const n = b.length
  // The layout described in plain.wat. Each line grows by at most 4 bytes per input byte and 11
  // more (`A=1` → `SECRET_A=MQ==` and CRLF); pages never written cost no memory.
  const input = 320
  const out = align(input + n)
  const slots = align(out + n * 4 + 16)
  const bounds = slots + slotCount * 4
  const longs = bounds + slotCount * 4
  const warns = longs + longCap * 20
  const names = warns + align(n + 4)
  const size = names + n
  try {
    wasm.memory.grow(Math.ceil(size / 65536) - wasm.memory.buffer.byteLength / 65536)
  } catch (e) {
    // No room for it (a memory limit on the process): the general encoder does without.
    if (e instanceof RangeError) return -1
    throw e
  }
  const memory = new Uint8Array(wasm.memory.buffer)
  // The base64 alphabet, then the byte classes (the layout in plain.wat).
  tables ??= Buffer.concat([Buffer.from(ALPHABET, 'latin1'), byteClasses()])
  memory.set(tables, 0)
  wasm.o.value = out
  wasm.names.value = names
  // All of the input: whether a quote is closed may depend on any later byte.
  memory.set(b, input)

  // In slices of whole lines: a small first one (a file that is not plain is mostly told on its
  // first lines), then about 256 KiB, as WebAssembly starts with a quick baseline compiler and
  // moves a function to the optimizing one once it is hot, which only later calls can use.
  for (let p = 0, slice = 16 * 1024; p < n; slice = 256 * 1024) {
    let stop = p + slice
    if (stop >= n) {
      stop = n
    } else {
      const lf = b.indexOf(LF, stop)
      stop = lf === -1 ? n : lf + 1
    }
    const status = wasm.encode(input + p, input + stop, input + n, crlf ? 1 : 0, slots, slotCount - 1, bounds, longs,
      longCap, warns)
    if (status !== 0) return status as -1 | -3 | -4
    p = stop
  }

  const count = wasm.count.value
  const long: EncodedEntry[] = []
  const records = new Int32Array(wasm.memory.buffer, longs, wasm.longCount.value * 5)
  for (let k = 0; k < records.length; k += 5) {
    const name = Buffer.from(wasm.memory.buffer, records[k + 1]!, records[k + 2]! - records[k + 1]!).toString('latin1')
    const encoded = Buffer.from(wasm.memory.buffer, records[k + 3]!, records[k + 4]! - records[k + 3]!).toString('latin1')
    long.push({ name, variable: SECRET_PREFIX + name, encoded, line: records[k]! })
  }
  const diagnostics: Diagnostic[] = count === 0
    ? [{ code: 'no-entries', severity: 'warning', message: NO_ENTRIES_MESSAGE }]
    : []
  // The unclosed quotes, in line order as encodeEnv sorts them; their names in one string, which
  // is quicker than a string from a buffer for each (there may be thousands).
  const lines = new Int32Array(wasm.memory.buffer, warns, wasm.warnCount.value)
  if (lines.length > 0) {
    const keys = Buffer.from(wasm.memory.buffer, names, wasm.names.value - names).toString('latin1').split('\n')
    for (let k = 0; k < lines.length; k++) {
      const key = keys[k]!
      diagnostics.push({ code: 'unterminated-quote', severity: 'warning', message: unterminatedQuote(key), line: lines[k]!, key })
    }
  }
  return { bytes: Buffer.from(wasm.memory.buffer, out, wasm.o.value - out), count, diagnostics, long }
}

function align(offset: number): number {
  return Math.ceil(offset / 8) * 8
}

/** The number of lines of the file, estimated from its first 1,000 lines or 64 KiB. */
function estimateLines(b: Buffer): number {
  let lines = 1
  let i = b.indexOf(LF)
  for (; i !== -1 && i < 64 * 1024 && lines < 1000; i = b.indexOf(LF, i + 1)) lines++
  const sampled = i === -1 ? b.length : Math.min(i + 1, b.length)
  return Math.ceil(lines * (b.length / Math.max(sampled, 1)))
}
