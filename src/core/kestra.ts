/**
 * How Kestra's environment secret backend reads one variable (see KESTRA-CONTRACT.md, section 1):
 * names start with `SECRET_` (case-sensitive) and are upper-cased after it; values lose every
 * line break, are decoded by `java.util.Base64.getDecoder()`, and the bytes become UTF-8 text.
 * decode and check both go through this module, so they cannot disagree about what Kestra sees.
 */
import { isUtf8 } from 'node:buffer'
import { base64Problem, decodeStrictBase64, decodeStrictBase64Ascii, isStrictBase64, type Base64Problem } from './base64.js'

/** The prefix of the variables Kestra reads as secrets (case-sensitive). */
export const SECRET_PREFIX = 'SECRET_'

// Java's `\R`: CRLF, or one of LF, VT, FF, CR, NEL, LS, PS.
const LINE_BREAKS = /\r\n|[\n\u000B\u000C\r\u0085\u2028\u2029]/g
const LINE_BREAK = /[\n\u000B\u000C\r\u0085\u2028\u2029]/

/** What Kestra does to a value before it decodes it. */
export function stripLineBreaks(value: string): string {
  // A search first: most values have none, and a replace costs more even when it replaces nothing.
  return LINE_BREAK.test(value) ? value.replace(LINE_BREAKS, '') : value
}

/**
 * One variable as Kestra receives it, whatever file it was read from (a .env line, an `extraEnv`
 * item of a values file, a Secret's key, a JSON member): decode and check work on lists of these,
 * so that every format goes through the same rules.
 */
export interface EncodedVariable {
  /** The variable's name (`SECRET_DB_PASSWORD`). */
  variable: string
  /** The text Kestra receives for it: our base64, when the file is right. */
  encoded: string
  /** 1-based line of the name in the file. */
  line: number
  /** For a variable read from a Secret manifest: the field that held it. */
  field?: 'data' | 'stringData'
}

/** The secret's name as `secret('...')` finds it, or undefined when Kestra ignores the variable. */
export function kestraName(variable: string): string | undefined {
  return variable.startsWith(SECRET_PREFIX) ? variable.slice(SECRET_PREFIX.length).toUpperCase() : undefined
}

/** The secret a variable is to Kestra: its kestraName, undefined when it is none (`SECRET_` alone too). */
export function secretName(variable: string): string | undefined {
  return isSecret(variable) ? kestraName(variable) : undefined
}

/** Whether the variable is a secret to Kestra (secretName is defined), without making its name. */
export function isSecret(variable: string): boolean {
  return variable.length > SECRET_PREFIX.length && variable.startsWith(SECRET_PREFIX)
}

/**
 * A name that starts with Kestra's prefix in any case (`secret_x` is the case mistake); from
 * offset `at`, whether the prefix is there.
 */
export function hasPrefixInAnyCase(name: string, at = 0): boolean {
  const n = SECRET_PREFIX.length
  if (name.length - at < n) return false
  // Character by character while they are ASCII (upper-casing a slice of every name of a large
  // file cost more than the rest of its checks); any other character, through toUpperCase.
  for (let k = 0; k < n; k++) {
    const c = name.charCodeAt(at + k)
    if (c >= 0x80) return name.slice(at, at + n).toUpperCase() === SECRET_PREFIX
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== SECRET_PREFIX.charCodeAt(k)) return false
  }
  return true
}

export type KestraValue =
  | {
    ok: true
    /** The decoded bytes. */
    bytes: Uint8Array
    /** Whether the bytes are well-formed UTF-8 (otherwise Kestra sees U+FFFD in their place). */
    utf8: boolean
    /** The text Kestra hands to flows (with U+FFFD for bytes that are not UTF-8). */
    text: string
  }
  | { ok: false; problem: Base64Problem }

// Java's decoder keeps a byte-order mark in the text, as ignoreBOM does.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A value that decodes to UTF-8; its bytes are decoded again when asked for (most callers want the text only). */
class DecodedValue {
  readonly ok = true
  readonly utf8 = true
  readonly text: string
  private readonly base64: string

  constructor(base64: string, text: string) {
    this.base64 = base64
    this.text = text
  }

  get bytes(): Uint8Array {
    return decodeStrictBase64(this.base64)
  }
}

/**
 * A value whose bytes are not UTF-8: its text (U+FFFD for those bytes) is made when asked for, as
 * the callers that meet these most, the checks of a name that may be base64, only ask `utf8`.
 */
class NotUtf8Value {
  readonly ok = true
  readonly utf8 = false
  private readonly base64: string

  constructor(base64: string) {
    this.base64 = base64
  }

  get bytes(): Uint8Array {
    return decodeStrictBase64(this.base64)
  }

  get text(): string {
    return UTF8.decode(this.bytes)
  }
}

let scratch = Buffer.allocUnsafe(4096)

/**
 * Decodes a variable's value exactly as Kestra does, or says why Kestra drops it: the library's
 * form, plain data whose every field is its own (it survives a spread, JSON and structuredClone).
 */
export function decodeKestraValue(value: string): KestraValue {
  const v = readKestraValue(value)
  return v.ok ? { ok: true, bytes: v.bytes, utf8: v.utf8, text: v.text } : v
}

/**
 * decodeKestraValue as the core uses it, on every value and on names that may be base64: the
 * bytes, and the text of bytes that are not UTF-8, are made only when asked for.
 */
export function readKestraValue(value: string): KestraValue {
  // A value that is strict base64 as it stands (nearly all) has no line break to strip.
  const strict = isStrictBase64(value)
  const compact = strict ? value : stripLineBreaks(value)
  const problem = strict ? undefined : base64Problem(compact)
  if (problem !== undefined) return { ok: false, problem }
  const ascii = decodeStrictBase64Ascii(compact)
  if (ascii !== undefined) return new DecodedValue(compact, ascii)
  // Into one reused buffer (a buffer per value cost a third of decoding it), validated before it
  // is read as text: most texts that come here are names checked for being base64 (mayBeValue),
  // whose bytes are not UTF-8, and the check costs less than the reading.
  if (compact.length > scratch.length) scratch = Buffer.allocUnsafe(compact.length)
  const n = scratch.write(compact, 0, 'base64')
  if (!isUtf8(scratch.subarray(0, n))) return new NotUtf8Value(compact)
  return new DecodedValue(compact, scratch.toString('utf8', 0, n))
}

/** A value-free sentence on why a value is not base64 Kestra can decode, to follow "the value of X". */
export function describeBase64Problem(problem: Base64Problem): string {
  switch (problem) {
    case 'whitespace': return 'has spaces or tabs in its base64, which Kestra\'s decoder rejects'
    case 'url-safe': return 'uses the URL-safe base64 alphabet (- and _), which Kestra\'s decoder rejects: use standard base64 (+ and /)'
    case 'alphabet': return 'has characters that are not base64 at all: it looks as if it was never encoded'
    case 'padding': return 'has = padding in the wrong place or of the wrong length, which Kestra\'s decoder rejects'
    case 'length': return 'has a base64 length no decoder accepts (a last group of one character): it looks cut short'
  }
}

/**
 * Whether decoded text looks like something a person wrote: no control characters other than
 * tab and line breaks. Base64 of random bytes, or a plain word that happens to be base64, fails it.
 */
export function isPrintableText(text: string): boolean {
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(text)
}

/**
 * A Pebble template such as `{{ "value" | base64encode }}`, copied from Kestra's docs into an env
 * file, where nothing ever renders it.
 */
export function looksLikeTemplate(value: string): boolean {
  // indexOf, not /\{\{[\s\S]*\}\}/: that expression retries from every `{{` and is quadratic on
  // a value full of them.
  const encloses = (open: string, close: string): boolean => {
    const at = value.indexOf(open)
    return at !== -1 && value.indexOf(close, at + 2) !== -1
  }
  return encloses('{{', '}}') || encloses('{%', '%}')
}

/**
 * Why Kestra drops a value it cannot decode: a diagnostic code and a value-free sentence. `place`
 * names the kind of file, for the template case (`an env file`, `a values file`, ...).
 */
export function undecodable(value: string, variable: string, problem: Base64Problem, place = 'an env file'):
  { code: 'template' | 'invalid-base64'; message: string } {
  if (looksLikeTemplate(value)) {
    return {
      code: 'template',
      message: `the value of ${variable} is a {{ ... }} template, which nothing renders in ${place}, so ` +
        'Kestra drops the secret: put the plain value in a .env and run kestra-secrets encode',
    }
  }
  return {
    code: 'invalid-base64',
    message: `the value of ${variable} ${describeBase64Problem(problem)}, so Kestra drops the secret ` +
      '("Cannot find secret" when a flow uses it)',
  }
}

/**
 * For a variable read from a Secret, what its field must hold, to end a message about a value that
 * Kestra cannot decode: a Secret's data encoded only once is the mistake of the published guides.
 */
export function encodingHint(v: EncodedVariable): string {
  if (v.field === 'data') {
    return '; a Secret\'s data holds base64 of the base64 text, since Kubernetes decodes one layer: ' +
      'was it encoded only once?'
  }
  if (v.field === 'stringData') return '; a Secret\'s stringData holds the base64 text that Kestra decodes, not the value'
  return ''
}
