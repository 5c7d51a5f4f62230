import { NamePlaces, Repeats } from '../names.js'

/**
 * A model of how `kubectl create secret generic NAME --from-env-file=FILE` reads a file
 * (k8s.io/kubectl, cmd/util/env_file.go), used to check that the k8s-secret format says exactly
 * what kubectl would have made of the env format, also where kubectl is not installed:
 *
 * - lines are split at LF (bufio.ScanLines), a CR before it is dropped, a BOM is removed from the
 *   first line only;
 * - leading white space (Go's unicode.IsSpace) is trimmed; empty and `#` lines are skipped;
 * - the rest is split at the first `=`; the name must match `[-._a-zA-Z][-._a-zA-Z0-9]*` and be at
 *   most 253 characters, and may not repeat; the value is kept byte for byte;
 * - a line without `=` takes its value from kubectl's own environment;
 * - a line of 64 KiB or more stops the reading without any message (bufio.Scanner's token limit):
 *   that entry and every one after it are silently left out of the Secret.
 */
export interface KubectlEnvFile {
  /** What kubectl puts in the Secret (before its own base64 layer), in file order. */
  entries: { name: string; value: string | undefined; line: number }[]
  /** The line and reason kubectl rejects the file for, if it does. */
  error?: { line: number; reason: string }
  /** The line where kubectl silently stopped reading, if it did. */
  truncatedAt?: number
}

const MAX_LINE_BYTES = 64 * 1024
// A character a key name cannot hold, searched from where lastIndex is put.
const NOT_NAME = /[^-._a-zA-Z0-9]/g

/** Whether text[start, end) matches kubectl's `[-._a-zA-Z][-._a-zA-Z0-9]*`. */
function isKeyName(text: string, start: number, end: number): boolean {
  if (start === end) return false
  const c = text.charCodeAt(start)
  const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a
  if (!letter && c !== 0x2d && c !== 0x2e && c !== 0x5f) return false
  // The search stops at the line's end at the latest: neither a line feed nor `=` is a name's.
  NOT_NAME.lastIndex = start + 1
  return !NOT_NAME.test(text) || NOT_NAME.lastIndex - 1 >= end
}

/** Go's unicode.IsSpace. */
function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
}

/**
 * Reads `text` as kubectl would. With `entries: false` (when only the verdict is wanted), what it
 * would put in the Secret is not kept: `entries` is then empty.
 */
export function readKubectlEnvFile(text: string, options: { entries?: boolean } = {}): KubectlEnvFile {
  const result: KubectlEnvFile = { entries: [] }
  const keep = options.entries !== false
  // The names so far, as places in the text: a Set of a million names was most of the time and
  // memory of checking a file of a million entries.
  const names = new NamePlaces(text)
  const seen = new Repeats((i) => names.name(i), text.length / 80, true)
  const n = text.length
  // The first `=` at or after i, asked at increasing positions: the text is searched about once.
  let equalsFrom = 0
  let equalsAt = -1
  const equals = (i: number): number => {
    if (i < equalsFrom || i > equalsAt) {
      equalsFrom = i
      equalsAt = text.indexOf('=', i)
      if (equalsAt === -1) equalsAt = n
    }
    return equalsAt
  }
  // Line by line, by offsets in the text: no string is made of a line, nor of a name.
  for (let at = 0, number = 1; at < n; number++) {
    let end = text.indexOf('\n', at)
    if (end === -1) end = n
    const lineStart = at
    at = end + 1
    // A UTF-16 code unit is at most 3 bytes of UTF-8: only long lines need counting.
    if ((end - lineStart) * 3 >= MAX_LINE_BYTES && Buffer.byteLength(text.slice(lineStart, end), 'utf8') >= MAX_LINE_BYTES) {
      result.truncatedAt = number
      break
    }
    const stop = end > lineStart && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end
    let start = lineStart
    if (number === 1 && start < stop && text.charCodeAt(start) === 0xfeff) start++
    while (start < stop && isGoSpace(text.charCodeAt(start))) start++
    if (start === stop || text.charCodeAt(start) === 0x23) continue
    const eq = equals(start) < stop ? equals(start) : -1
    const nameEnd = eq === -1 ? stop : eq
    if (!isKeyName(text, start, nameEnd)) {
      result.error = { line: number, reason: 'not a valid key name' }
      break
    }
    if (nameEnd - start > 253) {
      result.error = { line: number, reason: 'key name longer than 253 characters' }
      break
    }
    if (seen.add(text, start, nameEnd - start, names.add(start, nameEnd - start, number)) !== -1) {
      result.error = { line: number, reason: 'another key by that name already exists' }
      break
    }
    if (keep) result.entries.push({ name: text.slice(start, nameEnd), value: eq === -1 ? undefined : text.slice(eq + 1, stop), line: number })
  }
  return result
}
