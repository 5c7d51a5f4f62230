/**
 * Writing a value so that `dotenv.parse()` (dotenv 18, default mode) reads it back unchanged,
 * whatever the lines around it.
 *
 * What dotenv does with `KEY=<text>` (scan.ts has the whole expression): the value group tries, in
 * this order, `\s*'(?:\\'|[^'])*'`, the same with `"` and with a backtick, then `[^#\r\n]+`; the
 * capture goes through `cook` (trim, remove one pair of enclosing quotes, and when it began with
 * `"`, turn every `\n` and `\r`, backslash and letter, into a line break). Before all that, CRLF and
 * lone CR become LF, so a CR can only come from a `\r` in double quotes. The forms:
 *
 * - bare: `[^#\r\n]+` takes the whole value (no `#`, CR or LF, and no quote first unless the
 *   quoted alternative fails on the line), and `cook` leaves it as it is (no white space at the
 *   ends; no quotes that U+2028 or U+2029, line ends to the `m` flag, would make it strip);
 * - quoted: the quoted alternative reads it when every quote of that kind inside has a backslash
 *   before it (`\'` is read, and kept, backslash included) and the value does not end with a
 *   backslash (the closing quote would read as escaped, and where the value ends would then depend
 *   on the lines that follow: such a form is the last resort, see quoteValue);
 * - quoted, with a quote of that kind inside: the quoted alternative then fails on this line
 *   (unless white space and U+2028 or U+2029 follow such a quote), and `[^#\r\n]+` reads the whole
 *   line; that works when the line has no `#` and `cook` gives the value back (single quotes and
 *   backticks: no line break in the value);
 * - in double quotes LF and CR are written `\n` and `\r`, so a value with a backslash followed by
 *   `n` or `r` cannot go there (dotenv has no escape for the backslash itself); in single quotes
 *   and backticks LF is written as itself and CR cannot be written.
 *
 * When none of these applies, dotenv's grammar cannot express the value.
 */
import { cook, isLineEnd, isSpace } from './scan.js'

export type QuoteStyle = 'bare' | "'" | '"' | '`'

/**
 * The text to write after `KEY=`, or undefined when no form reads back as `value`. Last of all, a
 * value that ends with a backslash and needs quotes is written in them anyway: dotenv reads it
 * back unless a later line has a quote of that kind followed by the end of its line, which the
 * caller's reading of the whole output (decode's verify) finds.
 */
export function quoteValue(value: string): string | undefined {
  // Bare is every order's first form, and most values take it.
  if (canBeBare(value)) return value
  const styles = preferredStyles(value)
  // Quotes that dotenv reads as quotes first; the forms with a quote of their kind inside last.
  for (const style of styles) {
    const text = writeAs(value, style)
    if (text !== undefined && !(style !== 'bare' && hasUnescaped(text.slice(1, -1), style))) return text
  }
  for (const style of styles) {
    const text = writeAs(value, style)
    if (text !== undefined) return text
  }
  for (const style of styles) {
    const text = style === 'bare' ? undefined : writeAs(value, style, true)
    if (text !== undefined) return text
  }
  return undefined
}

/**
 * Whether a text quoteValue wrote holds only while no later line ends with a quote of its kind:
 * its last resort, a quoted value that ends with a backslash. (A text that starts with a quote and
 * ends with a backslash and that quote is never bare: dotenv's quoted alternative reads it.)
 */
export function dependsOnLaterLines(written: string): boolean {
  const quote = written[0]
  return written.length >= 3 && (quote === "'" || quote === '"' || quote === '`') && written.endsWith(`\\${quote}`)
}

/**
 * The forms to try, best first: bare; then, for values with line breaks, double quotes (the value
 * stays on one line, which every reader handles), otherwise single quotes (nothing inside them is
 * special, as in a shell); backticks last.
 */
function preferredStyles(value: string): QuoteStyle[] {
  return /[\n\r]/.test(value) ? ['bare', '"', "'", '`'] : ['bare', "'", '"', '`']
}

/**
 * `value` written in `style`, or undefined when that form cannot carry it. With `endsInBackslash`,
 * a quoted form of a value that ends with a backslash is given too (see quoteValue).
 */
export function writeAs(value: string, style: QuoteStyle, endsInBackslash = false): string | undefined {
  if (style === 'bare') return canBeBare(value) ? value : undefined
  let inner = value
  if (style === '"') {
    if (/\\[nr]/.test(value)) return undefined
    inner = value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')
  } else if (value.includes('\r')) {
    return undefined
  }
  const text = `${style}${inner}${style}`
  if (!hasUnescaped(inner, style)) return value.endsWith('\\') && !endsInBackslash ? undefined : text
  // A quote inside stops the quoted alternative on this line: the plain one must read it all.
  return !/[#\n]/.test(text) && quotedAlternativeFails(text) && cook(text) === value ? text : undefined
}

/**
 * Whether the quoted alternative fails on `text` (which has an unescaped quote of its kind inside):
 * each quote it may try as the closing one, up to the first unescaped one, is followed by text
 * that is not the end of a line. U+2028 and U+2029 are line ends too, and white space before them
 * is skipped, so a quote followed by them would end the value there.
 */
function quotedAlternativeFails(text: string): boolean {
  const quote = text[0] as string
  for (let i = text.indexOf(quote, 1); i !== -1 && i < text.length - 1; i = text.indexOf(quote, i + 1)) {
    for (let j = i + 1; j < text.length && isSpace(text.charCodeAt(j)); j++) {
      if (isLineEnd(text.charCodeAt(j))) return false
    }
    if (text.charCodeAt(i - 1) !== 0x5c) return true
  }
  return false
}

/** Whether `quote` occurs in `text` without a backslash right before it. */
function hasUnescaped(text: string, quote: string): boolean {
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) {
    if (i === 0 || text.charCodeAt(i - 1) !== 0x5c) return true
  }
  return false
}

function canBeBare(value: string): boolean {
  if (value === '') return true
  if (/[#\r\n]/.test(value)) return false
  const first = value.charCodeAt(0)
  // A value that starts with a quote is tried as a quoted value first: bare works only when that
  // reading fails on this line (as for "`\u2028`\\", whose U+2028 no quoting can carry).
  if ((first === 0x27 || first === 0x22 || first === 0x60) && !quotedAlternativeFails(value)) return false
  return cook(value) === value
}
