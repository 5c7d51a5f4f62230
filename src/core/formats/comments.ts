import { pushAll } from '../arrays.js'
import type { EncodedEntry, OutputItem } from '../encode.js'

/** An entry with the comments and blank lines that came just before it in the input. */
export interface PlacedEntry {
  entry: EncodedEntry
  /** The comment block above the entry, in the form the yaml library's `commentBefore` takes. */
  comment: string | undefined
  /** A blank line separated this entry (or its comments) from what came before. */
  spaceBefore: boolean
}

export interface CommentLayout {
  /** Comments of an input without entries, for the top of the document. */
  header: string | undefined
  placed: PlacedEntry[]
  /** Comments after the last entry. */
  trailer: string | undefined
}

/**
 * Attaches each run of comments and blank lines to the entry that follows it, so that the YAML
 * formats can write a comment just above the entry it described in the input.
 *
 * Comment blocks use the convention of the yaml library's default `commentString`: each line is
 * the text after `#`, an empty line stands for a blank line, and a line of one space for a bare
 * `#`.
 */
export function layoutComments(items: readonly OutputItem[]): CommentLayout {
  const placed: PlacedEntry[] = []
  // Comment lines as yaml wants them; null is a blank line.
  let pending: (string | null)[] = []
  for (const item of items) {
    if (item.kind === 'blank') {
      pending.push(null)
    } else if (item.kind === 'comment') {
      pushAll(pending, commentLines(item.text))
    } else {
      const leading = countLeadingBlanks(pending)
      placed.push({
        entry: item.entry,
        comment: block(pending.slice(leading)),
        // A blank line before the first item of a collection renders as stray indentation.
        spaceBefore: leading > 0 && placed.length > 0,
      })
      pending = []
    }
  }
  const rest = trimBlanks(pending)
  if (placed.length === 0) return { header: block(rest), placed, trailer: undefined }
  // A leading empty line keeps the blank line between the last entry and the closing comments.
  const separated = rest.length > 0 && countLeadingBlanks(pending) > 0
  return { header: undefined, placed, trailer: block(separated ? [null, ...rest] : rest) }
}

// YAML line breaks (and the ones YAML 1.1 parsers such as Helm's go-yaml add: NEL, LS, PS) would
// end the comment and turn the rest into content; they become separate comment lines.
const BREAKS = /\r\n|[\n\r\u0085\u2028\u2029]/
// Characters a YAML stream may not contain (outside c-printable), and a byte-order mark, which is
// only allowed at the start of a stream: shown as U+FFFD.
const NOT_PRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff]|[\ud800-\udfff]/gu

/** The lines of one input comment (`  # text`), as yaml comment lines. */
export function commentLines(text: string): string[] {
  const hash = text.indexOf('#')
  const body = hash === -1 ? text : text.slice(hash + 1)
  const lines = body.split(BREAKS).map((line) => line.replace(NOT_PRINTABLE, '\ufffd').trimEnd())
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  // The library writes an empty comment line as a blank line; a single space becomes a bare `#`.
  return lines.map((line) => (line === '' ? ' ' : line))
}

function countLeadingBlanks(lines: readonly (string | null)[]): number {
  let n = 0
  while (n < lines.length && lines[n] === null) n++
  return n
}

function trimBlanks(lines: readonly (string | null)[]): (string | null)[] {
  let end = lines.length
  while (end > 0 && lines[end - 1] === null) end--
  return lines.slice(countLeadingBlanks(lines), end)
}

function block(lines: readonly (string | null)[]): string | undefined {
  if (lines.every((l) => l === null)) return undefined
  return lines.map((l) => l ?? '').join('\n')
}
