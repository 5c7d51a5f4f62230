let scratch = Buffer.allocUnsafe(4096)

/** The standard base64 of a value's UTF-8 bytes, padded, on one line: what Kestra decodes. */
export function encodeValue(value: string): string {
  // One reused buffer instead of one per value: encoding 100,000 entries is mostly allocation.
  if (value.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(value.length * 3)
  const n = scratch.write(value, 0, 'utf8')
  return scratch.toString('base64', 0, n)
}

/**
 * `values.map(encodeValue)`, in a few native calls for all the values instead of two (and the
 * JavaScript around them) for each: on a file of tens of thousands of entries, read by a process
 * that has just started, those calls were most of the cost of encoding.
 *
 * The values, each padded with zero bytes to a multiple of 3 bytes, are encoded as one text: each
 * then starts a group of 4 characters there, and its encoding is its own groups, the last one with
 * `=` in place of the characters that stand for padding only (the standard encoding pads with zero
 * bits too). It needs each value's length in bytes, which is its length when the text is ASCII;
 * otherwise the values are encoded one by one.
 */
export function encodeValues(values: readonly string[]): string[] {
  const count = values.length
  const parts: string[] = []
  let k = 0
  for (let i = 0; i < count; i++) {
    const value = values[i] as string
    parts[k++] = value
    const rest = value.length % 3
    if (rest !== 0) parts[k++] = rest === 1 ? '\0\0' : '\0'
  }
  const joined = parts.join('')
  // Every character not ASCII takes more than one byte.
  if (Buffer.byteLength(joined, 'utf8') !== joined.length) return values.map((value) => encodeValue(value))
  const all = Buffer.from(joined, 'latin1').toString('base64')
  const out: string[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    const length = (values[i] as string).length
    const rest = length % 3
    const end = at + (length - rest) / 3 * 4
    if (rest === 0) {
      out[i] = all.slice(at, end)
      at = end
    } else {
      out[i] = all.slice(at, end + rest + 1) + (rest === 1 ? '==' : '=')
      at = end + 4
    }
  }
  return out
}

// A character outside the alphabet and `=`: a search, which needs no stack however long the text
// and, unlike a sticky `[...]*`, keeps no way back at every character.
const NOT_BASE64 = /[^A-Za-z0-9+/=]/

/**
 * Whether Kestra's decoder accepts the text as it stands (no line breaks, no spaces): what
 * java.util.Base64.getDecoder() takes, the standard alphabet, and a last group of 2 or 3
 * characters either bare or with exactly the right padding.
 */
export function isStrictBase64(text: string): boolean {
  if (NOT_BASE64.test(text)) return false
  const n = text.length
  const first = text.indexOf('=')
  const body = first === -1 ? n : first
  const pad = n - body
  // Padding only at the end: one `=`, or two.
  if (pad > 2 || (pad === 2 && text.charCodeAt(n - 1) !== 0x3d)) return false
  const rest = body % 4
  if (rest === 1) return false
  return pad === 0 || (rest === 2 && pad === 2) || (rest === 3 && pad === 1)
}

/** Why Kestra's decoder rejects a text, from the most to the least specific reason. */
export type Base64Problem = 'whitespace' | 'url-safe' | 'alphabet' | 'padding' | 'length'

/**
 * The reason `java.util.Base64.getDecoder()` rejects `text` (line breaks already removed), or
 * undefined when it accepts it. Only classes of characters are reported, never the characters.
 */
export function base64Problem(text: string): Base64Problem | undefined {
  if (isStrictBase64(text)) return undefined
  if (/\s/.test(text)) return 'whitespace'
  if (/[^A-Za-z0-9+/=_-]/.test(text)) return 'alphabet'
  if (/[-_]/.test(text)) return 'url-safe'
  const body = text.replace(/=+$/, '')
  if (body.includes('=')) return 'padding'
  if (body.length % 4 === 1) return 'length'
  return 'padding'
}

// A character outside ASCII: in atob's string of bytes, a byte of 0x80 or more.
const NOT_ASCII = /[^\x00-\x7f]/

/**
 * The text of the bytes that text `isStrictBase64` accepts decodes to, when every byte is ASCII
 * (which UTF-8 reads as itself); undefined otherwise. `atob` gives the bytes as a string of one
 * character each in one native call, at half the cost of decoding into a buffer and reading that
 * as UTF-8: the largest part of decode's and check's work per value. Like Java's decoder (and
 * Node's), it ignores the unused low bits of a last partial group.
 */
export function decodeStrictBase64Ascii(text: string): string | undefined {
  let bytes: string
  try {
    bytes = atob(text)
  } catch {
    // Not for text that isStrictBase64 accepts; the caller's buffer says what it holds.
    return undefined
  }
  return NOT_ASCII.test(bytes) ? undefined : bytes
}

/** Decodes text that `isStrictBase64` accepts into the bytes Java's decoder gives for it. */
export function decodeStrictBase64(text: string): Buffer {
  // Node's decoder is lenient, but on strict input it agrees with Java's, including ignoring the
  // unused low bits of a last partial group.
  return Buffer.from(text, 'base64')
}
