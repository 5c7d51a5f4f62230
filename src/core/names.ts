/**
 * The rules about names that encode, decode and check share: which names each reader can hold,
 * and which names are one secret to Kestra, which upper-cases them.
 */
import { grown } from './arrays.js'
import { hasPrefixInAnyCase, isPrintableText, readKestraValue, SECRET_PREFIX } from './kestra.js'
import { searchFrom } from './scan.js'

/**
 * Whether a name can be written in a .env file (the names dotenv reads: letters, digits, `_`, `.`
 * and `-`), which is also what Kubernetes accepts as a Secret key. A name from a .env file always
 * is one; a name from a values file, a Secret or JSON may not be.
 */
export function isEnvName(name: string): boolean {
  return /^[\w.-]+$/.test(name)
}

/** Whether a name dotenv reads has a `.` or `-`, which a POSIX shell cannot assign. */
export function hasShellUnsafeCharacters(name: string): boolean {
  return name.includes('.') || name.includes('-')
}

/** The warning about such a name, for the variable written or read. */
export function shellUnsafeMessage(variable: string): string {
  return `${displayName(variable)} is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*), so \`set -a; . file\` ` +
    'cannot load it: use letters, digits and _ only'
}

/** A name that repeats an earlier one once both are upper-cased, as Kestra reads them. */
export interface Repeat {
  /** Index of the later definition. */
  index: number
  /** Index of the latest definition before it. */
  earlier: number
  /** The same name (a duplicate), rather than one that differs only in case (a collision). */
  sameCase: boolean
}

/**
 * Where a definition applies, when not every two definitions meet: in a values file each
 * deployment has its list (`scope`), and `common.extraEnv` reaches every one (`everywhere`).
 */
export interface Scope {
  scope: string
  everywhere: boolean
}

/**
 * Every definition that repeats an earlier name in its scope, in order, with the latest such
 * definition before it. `names[i]` is undefined for an entry that takes no part (one without the
 * prefix, say); without `scopeOf`, every two definitions meet.
 */
export function repeatedNames(names: ReadonlyArray<string | undefined>, scopeOf?: (index: number) => Scope): Repeat[] {
  const repeats: Repeat[] = []
  const finder = new Repeats((i) => names[i] as string, names.length)
  if (scopeOf === undefined) {
    for (let i = 0; i < names.length; i++) {
      const name = names[i]
      const repeat = name === undefined ? undefined : finder.repeat(name, 0, name.length, i)
      if (repeat !== undefined) repeats.push(repeat)
    }
    return repeats
  }
  // When no two names are alike, as in most files, there is no repeat to look for scope by scope.
  if (!names.some((name, i) => name !== undefined && finder.add(name, 0, name.length, i) !== -1)) return repeats
  // The latest definition of each name: anywhere, in each scope, and in the scope that reaches all.
  const latest = new Map<string, number>()
  const latestIn = new Map<string, number>()
  const latestEverywhere = new Map<string, number>()
  for (let i = 0; i < names.length; i++) {
    const name = names[i]
    if (name === undefined) continue
    const key = name.toUpperCase()
    const where = scopeOf(i)
    const inScope = `${where.scope}\n${key}`
    let earlier: number | undefined
    if (where.everywhere) {
      earlier = latest.get(key)
    } else {
      const a = latestIn.get(inScope)
      const b = latestEverywhere.get(key)
      earlier = a === undefined ? b : b === undefined ? a : Math.max(a, b)
    }
    latest.set(key, i)
    latestIn.set(inScope, i)
    if (where.everywhere) latestEverywhere.set(key, i)
    if (earlier !== undefined) repeats.push({ index: i, earlier, sameCase: names[earlier] === name })
  }
  return repeats
}

/**
 * Names given one at a time, each told the latest earlier one that it repeats once both are
 * upper-cased: an open-addressing hash table of indices in typed arrays, which keeps no string of
 * its own (a Set of the upper-cased names of a million entries took 70 MB, and most of the time
 * of reading them). A name is given as the characters [start, start + length) of a text, so that
 * the names of a file can be told without a string each; `nameAt` gives an earlier name back, to
 * compare with when the hashes meet. `expected`, how many names are likely, saves growing the
 * table on the way. With `exact`, names repeat only as they are, in the same case (as kubectl
 * reads them). The hash is seeded per process and mixed before it picks a slot: names made to
 * meet in the table (a file of 64k names that share the low bits of an unseeded hash took encode
 * 5.7 s instead of 0.2 s) meet in no other run's. `collisions` counts the slots passed over.
 */
export class Repeats {
  private readonly nameAt: (index: number) => string
  private readonly exact: boolean
  /** The index of the latest name of each upper-cased form, plus one (0: an empty slot). */
  private slots: Int32Array
  private hashes: Int32Array
  private count = 0
  /** How many taken slots of another name were passed over, in all: what a flood would swell. */
  collisions = 0

  constructor(nameAt: (index: number) => string, expected = 0, exact = false) {
    this.nameAt = nameAt
    this.exact = exact
    // The table doubles when half full: sized to hold `expected` names without growing.
    let size = 1024
    while (size < expected * 2) size *= 2
    this.slots = new Int32Array(size)
    this.hashes = new Int32Array(size)
  }

  /** Adds the name at `index`; returns the index of the latest earlier name alike, or -1. */
  add(text: string, start: number, length: number, index: number): number {
    if (this.count * 2 >= this.slots.length) this.grow()
    const slots = this.slots
    const hashes = this.hashes
    const h = this.exact ? hash(text, start, start + length) : upperHash(text, start, start + length)
    const mask = slots.length - 1
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const s = slots[p] as number
      if (s === 0) {
        slots[p] = index + 1
        hashes[p] = h
        this.count++
        return -1
      }
      if (hashes[p] === h && this.same(this.nameAt(s - 1), text.slice(start, start + length))) {
        slots[p] = index + 1
        return s - 1
      }
      this.collisions++
    }
  }

  private same(a: string, b: string): boolean {
    return this.exact ? a === b : alike(a, b)
  }

  /** Adds the name at `index`; returns the Repeat it makes, if it repeats an earlier one. */
  repeat(text: string, start: number, length: number, index: number): Repeat | undefined {
    const earlier = this.add(text, start, length, index)
    return earlier === -1 ? undefined : { index, earlier, sameCase: this.nameAt(earlier) === text.slice(start, start + length) }
  }

  private grow(): void {
    const { slots, hashes } = this
    this.slots = new Int32Array(slots.length * 2)
    this.hashes = new Int32Array(slots.length * 2)
    const mask = this.slots.length - 1
    for (let q = 0; q < slots.length; q++) {
      const s = slots[q] as number
      if (s === 0) continue
      const h = hashes[q] as number
      let p = h & mask
      while (this.slots[p] !== 0) p = (p + 1) & mask
      this.slots[p] = s
      this.hashes[p] = h
    }
  }
}

function alike(a: string, b: string): boolean {
  return a === b || a.toUpperCase() === b.toUpperCase()
}

/**
 * The hash's start, drawn once per process: which names share a slot depends on it, so a file
 * cannot be written to make them all share one. Nothing that is written depends on it.
 */
const SEED = (Math.random() * 0x100000000) >>> 0

/** FNV-1a of text[start, end) upper-cased: ASCII letters here, any other name through toUpperCase. */
function upperHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ SEED
  for (let k = start; k < end; k++) {
    let c = text.charCodeAt(k)
    if (c >= 0x80) {
      const upper = text.slice(start, end).toUpperCase()
      return hash(upper, 0, upper.length)
    }
    if (c >= 0x61 && c <= 0x7a) c -= 0x20
    h = Math.imul(h ^ c, 0x01000193)
  }
  return mixed(h)
}

/** FNV-1a of text[start, end) as it is. */
function hash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ SEED
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193)
  return mixed(h)
}

/**
 * MurmurHash3's finalizer: every bit of FNV's result moves the low bits that pick a slot. In
 * FNV-1a alone the low bits depend only on the low bits before, so two blocks of characters that
 * agree there make 2^k names of k blocks that all want one slot.
 */
function mixed(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/**
 * Names kept as places in one text (where each starts, how long it is) with their lines, for
 * Repeats to compare with: a file's names without a string each.
 */
export class NamePlaces {
  readonly text: string
  private starts = new Int32Array(1024)
  private lengths = new Int32Array(1024)
  private lines = new Int32Array(1024)
  count = 0

  constructor(text: string) {
    this.text = text
  }

  /** Adds the name at text[start, start + length), on `line`; returns its index. */
  add(start: number, length: number, line: number): number {
    const i = this.count++
    if (i === this.starts.length) {
      this.starts = grown(this.starts)
      this.lengths = grown(this.lengths)
      this.lines = grown(this.lines)
    }
    this.starts[i] = start
    this.lengths[i] = length
    this.lines[i] = line
    return i
  }

  start(i: number): number {
    return this.starts[i] as number
  }

  length(i: number): number {
    return this.lengths[i] as number
  }

  line(i: number): number {
    return this.lines[i] as number
  }

  name(i: number): string {
    const start = this.starts[i] as number
    return this.text.slice(start, start + (this.lengths[i] as number))
  }
}

/** The longest name printed whole in a message. */
const MAX_SHOWN_NAME = 128

/**
 * A name as messages may show it. A name that a .env file can hold is shown whole (up to a bound);
 * any other name (a YAML or JSON key that swallowed its value: `SECRET_DB:"Y3p..."`,
 * `SECRET_A=czNj...`) is shown only up to the first character a name cannot hold, so that nothing
 * after `=`, `:`, a quote or a space is ever printed. A name that starts as a secret's base64 may
 * (see mayBeBase64Value) is not shown at all: `<base64>` stands for it, after the `SECRET_` prefix
 * too. Every message that names an entry shows its name through this.
 */
export function displayName(name: string): string {
  // A finding names its entry in its key and again in its message: the last answer is kept.
  if (name === lastName) return lastShown
  // The name after Kestra's prefix is the one that may be a value (SECRET_<base64>): after the
  // prefix in any case (secret_<base64> is the case mistake), however often it is repeated.
  const n = SECRET_PREFIX.length
  let at = 0
  while (name.length - at > n && hasPrefixInAnyCase(name, at)) at += n
  const shown = mayBeValue(name, at) ? `${shownAsName(name.slice(0, at))}<base64>` : shownAsName(name)
  lastName = name
  lastShown = shown
  return shown
}

let lastName = ''
let lastShown = ''

// The first character a name cannot hold, and the first outside base64's alphabet but for `=`
// (for searchFrom, which builds no match object).
const NOT_NAME = /[^\w.-]/g
const NOT_BASE64_RUN = /[^A-Za-z0-9+/]/g

/** The characters a name can hold from the start of `name`, up to MAX_SHOWN_NAME; `…` if cut. */
function shownAsName(name: string): string {
  const valid = searchFrom(NOT_NAME, name, 0)
  if (valid === name.length && valid <= MAX_SHOWN_NAME) return name
  return `${name.slice(0, Math.min(valid, MAX_SHOWN_NAME))}…`
}

/**
 * Whether a name (after any `SECRET_` prefix) starts as a secret's base64 may: what displayName
 * shows as `<base64>`, and what encode warns of in a .env (a line of a value that spans lines).
 */
export function mayBeValue(name: string, from = 0): boolean {
  const end = searchFrom(NOT_BASE64_RUN, name, from)
  return mayBeBase64Value(name.slice(from, (end - from) % 4 === 1 ? end - 1 : end))
}

/**
 * Whether decoded bytes are text: printable, or printable but for control characters at its ends
 * with 4 characters or more between them. A value may start with a NUL byte (`AHVudGVyMlhZWg` is NUL,
 * then "unter2XYZ") or end with a line feed; a name such as SENDGRID decodes to 3 letters
 * between control characters, and is shown.
 */
function isText(text: string): boolean {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) < 0x20) start++
  while (end > start && text.charCodeAt(end - 1) < 0x20) end--
  if (start === 0 && end === text.length) return isPrintableText(text)
  return end - start >= 4 && isPrintableText(text.slice(start, end))
}

/**
 * Whether a run of base64 characters may be a secret's base64 rather than a name: base64 that
 * Kestra decodes to text (6 characters or more, so 4 bytes: `cGFzcw` is "pass"), or 20 or more
 * with lower-case letters, capitals and digits, as random bytes give. dotenv reads a line of
 * base64 that ends in `=` as an entry named by the rest of it (a value that a line break cut from
 * its entry, a wrap of `base64 -w 60`), and a YAML key can be anything. Names people give
 * (JAVA_OPTS, DB_PASSWORD) have an `_` early or decode to bytes that are no text; a few six-letter
 * ones read as text too (TENANT, SENTRY) and are hidden with the rest: a name shown less is the
 * lesser harm.
 */
function mayBeBase64Value(run: string): boolean {
  if (run.length < 6) return false
  const decoded = readKestraValue(run)
  if (!decoded.ok) return false
  if (decoded.utf8 && isText(decoded.text)) return true
  return run.length >= 20 && /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run)
}
