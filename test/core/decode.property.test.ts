// decode's quoting is checked against dotenv itself, and decode against encode:
// - every value quoteValue writes is read back unchanged by the real dotenv.parse(), whatever lines
//   surround it; every value it refuses is one that no form of dotenv's grammar carries;
// - for generated documents D, dotenv.parse(decode(encode(D))) equals dotenv.parse(D), and D's
//   comments are all still there, in order.

import { test } from 'node:test'
import { isDeepStrictEqual } from 'node:util'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import dotenv from 'dotenv'
import { dependsOnLaterLines, quoteValue, writeAs, type QuoteStyle } from '../../src/core/quote.js'
import { decodeEnv, decodeText } from '../../src/core/decode.js'
import { encodeEnv } from '../../src/core/encode.js'
import { checkEncoded } from '../../src/core/check.js'
import { FORMATS, renderFormat } from '../../src/core/formats/index.js'
import * as yaml from 'yaml'
import { commentedAssignment, opensQuote, runs } from '../helpers.js'

const RUNS = Number(process.env.PROPERTY_RUNS ?? runs(2000))

// Characters that matter to dotenv's grammar, with a few ordinary ones and some from far away.
const TRICKY = [
  'a', 'b', 'n', 'r', 'Z', '0', ' ', '\t', '\n', '\r', '#', '=', ':', '$', '\\', "'", '"', '`',
  '\u2028', '\u2029', '\u00a0', '\uFEFF', '\u000B', '\u000C', '\u0085', 'é', '日', '😀', '{', '}',
]
const trickyString = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 14 })
const anyValue = fc.oneof(
  { weight: 3, arbitrary: trickyString },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
)

// Lines around the entry: the quote characters at line ends would catch a closing quote that was
// read as escaped; a comment and a CRLF file change nothing.
const BEFORE = ['', 'A=1\n', '# it\'s "here" `x`\n', 'export B="two\nlines"\n']
const AFTER = ['', '\n', '\nZ1=a\'\nZ2=b"\nZ3=c`\n', ' # inline comment\n# next\nC=3\n', '\n\n  \nD=\'quoted\'\n']

test('every value quoteValue writes, dotenv reads back unchanged, whatever the lines around it', () => {
  fc.assert(fc.property(anyValue, fc.constantFrom(...BEFORE), fc.constantFrom(...AFTER), fc.boolean(),
    (value, before, after, crlf) => {
      const written = quoteValue(value)
      fc.pre(written !== undefined)
      // The last resort, a quoted value that ends with a backslash, holds until a later line ends
      // with a quote of its kind: decode's verify finds those (the test below).
      fc.pre(!dependsOnLaterLines(written) || !after.includes(written[0] as string))
      let doc = `${before}K=${written}${after}`
      if (crlf) doc = doc.replace(/\n/g, '\r\n')
      const expected = { ...dotenv.parse(before), K: value, ...dotenv.parse(after.replace(/^ #.*/, '')) }
      assert.deepEqual(dotenv.parse(doc), expected)
    }), { numRuns: RUNS })
})

test('a value that ends with a backslash and needs quotes is decoded, unless a later line would take it: then an error', () => {
  const b64 = (v: string): string => Buffer.from(v, 'utf8').toString('base64')
  // Each needs quotes (a space first, a #), and no quote but its last can be the closing one.
  for (const plain of [' \\', ' a\\', ' \\\\', '#\\', 'a #\\']) {
    const written = quoteValue(plain)
    assert.ok(written !== undefined && dependsOnLaterLines(written), JSON.stringify(plain))
    // Alone, and before lines that hold quotes but none that ends its line.
    for (const after of ['', `SECRET_B=${b64("it's \"x\" `y`")}\n`]) {
      const decoded = decodeEnv(`SECRET_K=${b64(plain)}\n${after}`)
      assert.ok(decoded.ok, JSON.stringify([plain, after]))
      assert.equal(dotenv.parse(decoded.text).K, plain)
    }
    // Through every format and back: decode writes it the same way.
    const encoded = encodeEnv(`K=${written}\n`)
    assert.ok(encoded.ok)
    for (const format of FORMATS) {
      const back = decodeEnv(renderFormat(format, encoded.items, { eol: '\n', yaml }), { yaml })
      assert.ok(back.ok, format)
      assert.equal(dotenv.parse(back.text).K, plain, format)
    }
    // Before a line that ends with a quote of its kind, which dotenv would read as its closing one.
    const quote = written[0] as string
    const broken = decodeEnv(`SECRET_K=${b64(plain)}\nSECRET_B=${b64(`x${quote}`)}\n`)
    assert.equal(broken.ok, false)
    assert.deepEqual(broken.diagnostics.map((d) => [d.code, d.line]), [['unwritable-value', 1]])
    assert.match(broken.diagnostics[0]?.message ?? '', new RegExp(`^the value of SECRET_K ends with a backslash .* a later line ends with a \\${quote}`))
  }
})

test('a value quoteValue refuses is one that no form of dotenv\'s grammar carries', () => {
  // The forms a person could try: bare, each quote with the value as it is, double quotes with
  // \n and \r escapes. With the lines below, one of them only "works" by reading past its line.
  const after = '\nZ1=a\'\nZ2=b"\nZ3=c`\n'
  const forms = (v: string): string[] =>
    [v, `'${v}'`, `"${v}"`, `\`${v}\``, `"${v.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`]
  let refused = 0
  fc.assert(fc.property(anyValue, (value) => {
    if (quoteValue(value) !== undefined) return
    refused++
    for (const form of forms(value)) {
      const read = dotenv.parse(`K=${form}${after}`)
      assert.ok(read.K !== value || read.Z1 !== "a'" || read.Z2 !== 'b"' || read.Z3 !== 'c`',
        `${JSON.stringify(form)} would have carried ${JSON.stringify(value)}`)
    }
  }), { numRuns: RUNS, examples: [['a\n\\n\'"`'], ['\r\'"`\\n']] })
  // (The examples make sure of it, whatever the seed: a line break, a backslash and n, every quote.)
  assert.ok(refused > 0, 'the generator reaches values that cannot be written')
})

test('each quoting form, when it applies, is read back as is (no fallback hides a wrong form)', () => {
  const styles: QuoteStyle[] = ['bare', "'", '"', '`']
  fc.assert(fc.property(anyValue, fc.constantFrom(...styles), (value, style) => {
    const written = writeAs(value, style)
    fc.pre(written !== undefined)
    assert.equal(dotenv.parse(`K=${written}\nZ1=a'\nZ2=b"\nZ3=c\`\n`).K, value)
  }), { numRuns: RUNS })
})

// Documents: comments, blank lines and entries in every form dotenv reads.
const KEYS = ['DB_PASSWORD', 'api_key', 'Token2', '_X', 'A', 'url', 'PEM', 'Mixed_Case', 'k.dot', 'k-dash']
// Values for each quoting of a .env; a quoted value never ends in a backslash (dotenv then looks
// past the line for its closing quote).
const noEnd = (s: string): string => s.replace(/\\+$/, '')
const bareValue = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '=', '$', '\\', "'", '"', '`', ':', '.', 'é', '/'), maxLength: 12 })
  .map((s) => s.replace(/^[\s'"`]+/, ''))
const inner = (exclude: string): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom('a', ' ', '#', '\n', '\\', '=', "'", '"', '`', 'n', 'r', '日').filter((c) => c !== exclude), maxLength: 12 })
    .map(noEnd)
const entryText = fc.oneof(
  bareValue.map((v) => v),
  inner("'").map((v) => `'${v}'`),
  inner('"').map((v) => `"${v}"`),
  inner('`').map((v) => `\`${v}\``),
)
const commentText = fc.string({ unit: fc.constantFrom('a', ' ', '#', "'", '"', '=', 'é', 'x'), maxLength: 10 })
  .map((s) => `# ${s}`.trimEnd())

type Line = { kind: 'comment'; text: string } | { kind: 'blank' } |
  { kind: 'entry'; value: string; exported: boolean; colon: boolean; comment: string | undefined }
const line: fc.Arbitrary<Line> = fc.oneof(
  commentText.map((text): Line => ({ kind: 'comment', text })),
  fc.constant<Line>({ kind: 'blank' }),
  fc.record({
    value: entryText,
    exported: fc.boolean(),
    colon: fc.boolean(),
    comment: fc.option(commentText, { nil: undefined }),
  }).map((e): Line => ({ kind: 'entry', ...e })),
)
const documentLines = fc.array(line, { maxLength: 12 })

/** The document, its comments in order, and for each comment whether it is a line right after a comment line. */
function render(lines: readonly Line[]): { text: string; comments: string[]; follows: boolean[] } {
  const comments: string[] = []
  const follows: boolean[] = []
  let k = 0
  const text = lines.map((l, i) => {
    if (l.kind === 'blank') return ''
    if (l.kind === 'comment') {
      comments.push(l.text)
      follows.push(lines[i - 1]?.kind === 'comment')
      return l.text
    }
    const key = KEYS[k++ % KEYS.length] as string
    // `KEY: value` needs a value that does not start on the next line.
    const sep = l.colon && l.value !== '' ? ': ' : '='
    if (l.comment !== undefined) {
      comments.push(l.comment)
      follows.push(false)
    }
    return `${l.exported ? 'export ' : ''}${key}${sep}${l.value}${l.comment === undefined ? '' : ` ${l.comment}`}`
  }).join('\n')
  return { text: text === '' ? text : `${text}\n`, comments, follows }
}

test('dotenv.parse(decode(encode(D))) equals dotenv.parse(D), and D\'s comments survive in order', () => {
  fc.assert(fc.property(documentLines, fc.boolean(), (lines, crlf) => {
    const { text, comments, follows } = render(lines)
    const doc = crlf ? text.replace(/\n/g, '\r\n') : text
    const expected = dotenv.parse(doc)
    const encoded = encodeEnv(doc, { allowDuplicates: true, force: true })
    assert.ok(encoded.ok, JSON.stringify(encoded.diagnostics))
    const decoded = decodeEnv(encoded.text)
    assert.ok(decoded.ok, JSON.stringify(decoded.diagnostics))
    assert.deepEqual(dotenv.parse(decoded.text), expected)
    // Each comment is still there, after the one before it. A comment dotenv reads as part of a
    // value (a # inside quotes) is not in `comments`: the generator adds only real ones.
    let from = 0
    // A commented-out entry comes back as one, with the same name and value.
    const decodedLines = decoded.text.split(/\r?\n/)
    // One whose quote its line leaves open is read on over the comment lines right after it
    // (scan.comments.test.ts checks how): it comes back with its name, and they are not looked for.
    let open = false
    comments.forEach((c, k) => {
      if (open && follows[k]) return
      open = opensQuote(c)
      const assignment = commentedAssignment(c)
      const at = decodedLines.findIndex((l, i) => i >= from && (assignment === undefined
        ? l.includes(c) : open ? commentedAssignment(l)?.key === assignment.key : isDeepStrictEqual(commentedAssignment(l), assignment)))
      assert.ok(at !== -1, `comment ${JSON.stringify(c)} is kept, in order`)
      from = at + 1
    })
    // And what encode wrote is ready for Kestra by check's standards.
    // (What the user wrote gets none of check's guesses about values: it is checked --against D.)
    const checked = checkEncoded(encoded.text, { against: { name: 'plain', text: doc } })
    assert.deepEqual(checked.findings.filter((f) => f.severity === 'error').map((f) => f.code),
      encoded.entries.length === 0 ? ['no-secrets'] : [])
  }), { numRuns: RUNS })
})

test('decodeText is decodeEnv without the list of entries; the entries are those encode wrote, in order', () => {
  let clashes = 0
  fc.assert(fc.property(documentLines, fc.boolean(), (lines, crlf) => {
    const { text } = render(lines)
    const doc = crlf ? text.replace(/\n/g, '\r\n') : text
    const encoded = encodeEnv(doc, { allowDuplicates: true, force: true })
    assert.ok(encoded.ok, JSON.stringify(encoded.diagnostics))
    const decoded = decodeEnv(encoded.text)
    assert.deepEqual(decoded.entries.map((e) => [e.variable, e.name, e.value, e.decoded]),
      encoded.entries.map((e) => [e.variable, e.name, Buffer.from(e.encoded, 'base64').toString('utf8'), true]))
    // The plain file (nothing decoded), the encoded one, and both in one (`SECRET_A` and `A`
    // would both be written as `A`: the clash is found without the list too).
    for (const input of [doc, encoded.text, encoded.text + doc]) {
      const { entries, ...rest } = decodeEnv(input)
      if (rest.diagnostics.some((d) => d.code === 'decoded-twice')) clashes++
      assert.deepEqual(decodeText(input), { ...rest, secrets: entries.filter((e) => e.decoded).length })
    }
  }), { numRuns: RUNS })
  assert.ok(clashes > 0, 'no input had a name written twice')
})
