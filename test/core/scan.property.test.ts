// Property tests: `scan` reads every generated .env document exactly as dotenv 18 (default mode)
// does, and `encodeEnv` writes something dotenv reads back as the same secrets, base64-encoded,
// with the comments kept in order.
//
// On failure fast-check prints the seed, the path and the shrunk counterexample; to replay one, put
// `seed` and `path` from that message into the parameters of the failing `fc.assert`.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import dotenv from 'dotenv'
import fc from 'fast-check'
import { normaliseLineEnds, scan, scanEntries, toRecord, type Entry } from '../../src/core/scan.js'
import { encodeEnv } from '../../src/core/encode.js'
import { isStrictBase64 } from '../../src/core/base64.js'
import { commentedAssignment, encodedComment, opensQuote, runs } from '../helpers.js'

// SCAN_PROPERTY_RUNS=100000 node --test build/test/scan.property.test.js hunts harder.
const RUNS = Number(process.env.SCAN_PROPERTY_RUNS ?? runs(20000))

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const BOM = '\ufeff'
const LS = '\u2028'
const PS = '\u2029'
const NBSP = '\u00a0'

/** Names that collide on purpose: repeated, differing only in case, with `.`, `-` and digits. */
const NAMES = [
  'A', 'a', 'KEY', 'key', 'Key', 'DB_HOST', 'db.host', 'x-1', 'X-1', '_', '9', '10', '2',
  'export', 'EXPORT', '__proto__', 'constructor', 'SECRET_X', 'a.b-c_9',
]
const KEY_CHARS = ['A', 'b', 'Z', '_', '.', '-', '0', '7', 'e', 'x']
const anyName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 5 }) },
)

/** Pieces of values: everything that has a meaning somewhere in the grammar, plus plain text. */
const VALUE_PIECES = [
  'a', 'b', 'x', 'hello', ' ', '  ', '\t', '#', ' # ', ' #c', '=', '==', '$', '${V}', '{}', '{"k":1}',
  "'", '"', '`', '\\', '\\n', '\\r', '\\"', "\\'", '\\`', '\\\\', 'é', '😀', '中文', NBSP, LS, PS, BOM,
  '\u3000', ':', ': ', '//', 'export ',
  // More of `\s` (form feed, em space, narrow no-break space, ogham space mark) and look-alikes
  // that are not in it (next line, Mongolian vowel separator, zero-width space).
  '\f', '\u2003', '\u202f', '\u1680', '\u0085', '\u180e', '\u200b',
]
const LINE_BREAKS = ['\n', '\r\n', '\r']
const value = (pieces: readonly string[], max = 6): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...pieces), { maxLength: max }).map((a) => a.join(''))

const indent = fc.constantFrom('', '', '', ' ', '  ', '\t', NBSP, BOM, ' \t ')
const exportPrefix = fc.constantFrom('', '', '', 'export ', 'export  ', 'export\t', 'export\n', ' export ')
const separator = fc.constantFrom('=', '=', '=', ' = ', '= ', ' =', '\t=\t', ': ', ':', ':\t', ':  ', ' :', '::', ':\n', '=\n')
const quote = fc.constantFrom("'", '"', '`')
const suffix = fc.constantFrom('', '', '', ' # x', '#x', ' #', '  ', '\t# c', ' x', 'x', ' "', " '")

/** A quoted value: maybe over several lines, maybe never closed, maybe with text after it. */
const quoted: fc.Arbitrary<string> = fc
  .tuple(
    quote,
    value([...VALUE_PIECES, '\n', '\r\n', '\r', '\n# not a comment\n', '\nK=v\n']),
    fc.constantFrom('close', 'close', 'close', 'open'),
    fc.constantFrom('', ' '),
  )
  .map(([q, body, end, pad]) => pad + q + body + (end === 'close' ? q : ''))

const anyValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: value(VALUE_PIECES) },
  { weight: 3, arbitrary: quoted },
  { weight: 1, arbitrary: fc.constant('') },
)

const comment = fc
  .tuple(indent, fc.constantFrom('#', '# ', '##', '#='), value(VALUE_PIECES, 4))
  .map(([i, h, body]) => i + h + body)

/** One line (or a few lines that belong together) of a .env file, of any kind. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: comment },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(' ', '\t', NBSP, BOM, '\u000b'), { minLength: 1, maxLength: 4 }).map((a) => a.join('')) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(indent, exportPrefix, anyName, separator, anyValue, suffix)
      .map(([i, e, k, s, v, x]) => i + e + k + s + v + x),
  },
  { weight: 1, arbitrary: fc.constantFrom('export', 'export ', 'export\n', 'export #c') },
  { weight: 1, arbitrary: fc.tuple(indent, anyName).map(([i, k]) => i + k) },
  { weight: 1, arbitrary: fc.tuple(indent, anyValue).map(([i, v]) => i + '=' + v) },
  // `KEY=` and a next line that starts with a quote.
  { weight: 1, arbitrary: fc.tuple(anyName, fc.constantFrom(...LINE_BREAKS), quoted).map(([k, b, q]) => k + '=' + b + q) },
  // `KEY` alone, `=value` later.
  {
    weight: 1,
    arbitrary: fc
      .tuple(anyName, fc.constantFrom('\n', '\n\n', '\n  \n', '\r\n', '\n# c\n'), value(VALUE_PIECES, 3))
      .map(([k, gap, v]) => k + gap + '=' + v),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(BOM, LS, PS), anyName, anyValue).map(([c, k, v]) => c + k + '=' + v) },
)

/** Joins lines with random line ends (CRLF, lone CR, U+2028...), a BOM first or not, a final line end or not. */
function document(lines: fc.Arbitrary<string>, breaks: readonly string[], maxLines = 10): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.boolean(),
      fc.array(fc.tuple(lines, fc.constantFrom(...breaks)), { maxLength: maxLines }),
      fc.boolean(),
    )
    .map(([bom, ls, final]) => {
      let out = bom ? BOM : ''
      ls.forEach(([l, b], i) => {
        out += l + (i < ls.length - 1 || final ? b : '')
      })
      return out
    })
}

const structuredDoc = document(line, ['\n', '\n', '\n', '\r\n', '\r', LS, PS])

/** A fully random string over the characters (and one word) the grammar cares about. */
const DANGEROUS = [
  '=', '#', "'", '"', '`', '\\', '\n', '\r', ' ', '\t', LS, BOM, 'A', 'b', '_', '.', ':', 'x', 'e', 'export ',
]
const randomDoc = fc.array(fc.constantFrom(...DANGEROUS), { maxLength: 80, size: 'large' }).map((a) => a.join(''))

/** Structured lines and random fragments, mixed. */
const mixedDoc = document(
  fc.oneof(line, fc.array(fc.constantFrom(...DANGEROUS), { maxLength: 12 }).map((a) => a.join(''))),
  ['\n', '\r\n', '\r', LS, ''],
)

const anyDoc: fc.Arbitrary<string> = fc.oneof(structuredDoc, randomDoc, mixedDoc)

// ---------------------------------------------------------------------------------------------
// Documents where the full-line comments are known
// ---------------------------------------------------------------------------------------------
//
// Every quote that opens a value closes on its own line or inside its own multi-line construct,
// no line other than a value starts with a quote, and no value text lands at the start of a line
// of its own, so no value can reach into a later line: the lines generated as comments are then
// full-line comments, whatever dotenv makes of the rest. Names never differ only in case, so
// encodeEnv always succeeds (with allowDuplicates).

type Tagged = { text: string; comment?: string }

const SAFE_NAMES = ['A', 'KEY', 'DB_HOST', 'db.host', 'x-1', '_', '9', '10', 'export', 'a.b-c_9', 'SECRET_X']
const safeName = fc.constantFrom(...SAFE_NAMES)
const SAFE_PIECES = VALUE_PIECES.filter((p) => p !== LS && p !== PS)
const notQuote = (p: string): boolean => !/['"`]/.test(p)

/**
 * A closed quoted value whose body holds no unescaped quote of its kind and does not end in `\`,
 * with nothing but a comment after it: dotenv always reads it as one quoted value. (With text after
 * the closing quote it would fall apart into lines, and one of them could open a quote that runs
 * into a later comment.)
 */
const safeQuoted: fc.Arbitrary<string> = quote.chain((q) => {
  const pieces = [...SAFE_PIECES, '\n', '\r\n', '\n# inside a value\n']
    .filter((p) => !p.includes(q) || p === '\\' + q)
    .filter((p) => p !== '\\' && p !== '\\\\')
  return fc
    .tuple(fc.constantFrom('', ' '), value(pieces), fc.constantFrom('', 'z', ' ', '\t'), fc.constantFrom('', ' ', ' # c', '#c'))
    .map(([pad, body, last, after]) => pad + q + body + last + q + after)
})
const safeUnquoted = fc
  .tuple(fc.constantFrom(...SAFE_PIECES.filter((p) => notQuote(p) && p.trim() !== '' && p !== BOM)), value(SAFE_PIECES, 5))
  .map(([first, rest]) => first + rest)
const safeValue = fc.oneof(safeUnquoted, safeQuoted, fc.constant(''))
// Not `=` and a line break: the next line would not be the value but a line of its own.
const safeSeparator = fc.constantFrom('=', '=', '=', ' = ', '= ', ' =', '\t=\t', ': ', ':', ':\t', ':  ', ' :', '::', ':\n')
/**
 * After `KEY:x`, `KEY :` or `KEY::` there is no entry, and a multi-line value would become lines of
 * its own. `KEY:` with nothing after it is an entry whose value is the next line (the line break is
 * the white space dotenv wants after `:`), which would leave that line's own value at the start of a
 * line (`A:\nA:\na=` reads as A and a, which collide): `:` always has a value.
 */
const safeSeparatorAndValue = safeSeparator.chain((sep) =>
  (sep === ':' ? safeUnquoted : sep === ' :' || sep === '::' ? fc.oneof(safeUnquoted, fc.constant('')) : safeValue).map((v) => sep + v),
)

const safeComment: fc.Arbitrary<Tagged> = fc
  .tuple(indent, fc.constantFrom('#', '# ', '##', '#='), value(SAFE_PIECES, 4), fc.constantFrom('', ' ', '\t'))
  .map(([i, h, body, pad]) => {
    const text = i + h + body + pad
    return { text, comment: text }
  })

const safeLine: fc.Arbitrary<Tagged> = fc.oneof(
  { weight: 3, arbitrary: safeComment },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '  \t', NBSP, BOM).map((text) => ({ text })) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(indent, exportPrefix, safeName, safeSeparatorAndValue, fc.constantFrom('', ' # x', '#x', ' #', '  '))
      .map(([i, e, k, sv, x]) => ({ text: i + e + k + sv + x })),
  },
  { weight: 1, arbitrary: fc.constantFrom('export', 'export ', 'export #c').map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.tuple(safeName, safeValue).map(([k, v]) => ({ text: k + '\n=' + v })) },
  { weight: 1, arbitrary: fc.tuple(safeName, safeQuoted).map(([k, q]) => ({ text: k + '=\n' + q.trimStart() })) },
  { weight: 1, arbitrary: safeName.map((text) => ({ text })) },
)

interface SafeDoc {
  doc: string
  comments: string[]
  /** For each comment, whether the line before it is a comment too. */
  follows: boolean[]
}

const safeDoc: fc.Arbitrary<SafeDoc> = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(safeLine, fc.constantFrom('\n', '\n', '\r\n', '\r')), { maxLength: 12 }), fc.boolean())
  .map(([bom, ls, final]) => {
    let doc = bom ? BOM : ''
    const comments: string[] = []
    const follows: boolean[] = []
    ls.forEach(([l, b], i) => {
      doc += l.text + (i < ls.length - 1 || final ? b : '')
      if (l.comment !== undefined) {
        comments.push(l.comment.trim())
        follows.push(i > 0 && (ls[i - 1] as [Tagged, string])[0].comment !== undefined)
      }
    })
    return { doc, comments, follows }
  })

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** JSON with the invisible characters spelt out (fast-check prints U+2028 or U+FEFF as they are). */
function visible(s: string): string {
  return JSON.stringify(s).replace(/[^\x21-\x7e]/gu, (c) =>
    c === ' ' || /\p{L}|\p{Extended_Pictographic}/u.test(c) ? c : '\\u' + (c.codePointAt(0) as number).toString(16).padStart(4, '0'))
}

/** The check, with the input spelt out in its error message. */
function explained<T>(check: (x: T) => void, docOf: (x: T) => string): (x: T) => void {
  return (x) => {
    try {
      check(x)
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      throw new Error(`input ${visible(docOf(x))}\n${message}`, { cause: e })
    }
  }
}

const options = { numRuns: RUNS, includeErrorInReport: true }
const self = (doc: string): string => doc

function sameAsDotenv(doc: string): void {
  const mine = toRecord(scan(doc).entries)
  assert.deepStrictEqual({ ...mine }, { ...dotenv.parse(doc) })
}

const OUTPUT_ENTRY = /^SECRET_[\w.-]+=[A-Za-z0-9+/]*={0,2}$/

/** Checks property b on one document; returns whether encodeEnv succeeded. */
function encodesFaithfully(doc: string): boolean {
  const result = encodeEnv(doc, { allowDuplicates: true, force: true })
  if (!result.ok) return false
  const input = { ...dotenv.parse(doc) }
  const output = { ...dotenv.parse(result.text) }
  const want = Object.keys(input)
    .filter((k) => k !== '__proto__')
    .map((k) => 'SECRET_' + k)
    .sort()
  assert.deepStrictEqual(Object.keys(output).sort(), want, 'names in the output')
  for (const name of Object.keys(input)) {
    const encoded = output['SECRET_' + name] as string
    assert.ok(isStrictBase64(encoded), `SECRET_${name}=${encoded} is not strict base64`)
    assert.equal(Buffer.from(encoded, 'base64').toString('utf8'), input[name], `value of ${name}`)
  }
  for (const outLine of result.text.split(/\r?\n/)) {
    if (outLine === '') continue
    const isComment = outLine.trimStart().startsWith('#')
    assert.ok(isComment || OUTPUT_ENTRY.test(outLine), `unexpected output line ${visible(outLine)}`)
  }
  return true
}

function keepsComments({ doc, comments, follows }: SafeDoc): void {
  const result = encodeEnv(doc, { allowDuplicates: true, force: true })
  assert.ok(result.ok, `encodeEnv failed: ${JSON.stringify(result.diagnostics)}`)
  const out = result.text.split(/\r?\n/).map((l) => l.trim())
  let i = 0
  // A commented-out value whose quote its line leaves open is read on over the comment lines
  // right after it (scan.comments.test.ts checks how): only its name is looked for, and not them.
  let open = false
  comments.forEach((c, k) => {
    if (open && follows[k]) return
    open = opensQuote(c)
    const want = open ? `# SECRET_${(commentedAssignment(c) as { key: string }).key}=` : encodedComment(c)
    while (i < out.length && !(open ? (out[i] as string).startsWith(want) : out[i] === want)) i++
    assert.ok(i < out.length, `comment ${visible(c)} is missing (or out of order) in the output ${visible(result.text)}`)
    i++
  })
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

test('a. scan reads structured documents as dotenv.parse does', () => {
  fc.assert(fc.property(structuredDoc, explained(sameAsDotenv, self)), options)
})

test('a. scan reads random strings of dangerous characters as dotenv.parse does', () => {
  fc.assert(fc.property(randomDoc, explained(sameAsDotenv, self)), options)
})

test('a. scan reads mixed documents as dotenv.parse does', () => {
  fc.assert(fc.property(mixedDoc, explained(sameAsDotenv, self)), options)
})

test('a. scan reads documents with known comments as dotenv.parse does', () => {
  fc.assert(fc.property(safeDoc, explained(({ doc }: SafeDoc) => sameAsDotenv(doc), (d) => d.doc)), options)
})

/** The entries scanEntries gives, which must be scan's, fact by fact. */
function sameEntries(doc: string): void {
  const entries: Entry[] = []
  scanEntries(normaliseLineEnds(doc), (e) => entries.push(e))
  assert.deepEqual(entries, scan(doc).entries)
}

test('a. scanEntries gives the entries scan gives, without reading the comments', () => {
  for (const doc of [randomDoc, mixedDoc, structuredDoc]) fc.assert(fc.property(doc, explained(sameEntries, self)), options)
})

test('b. encodeEnv output is read by dotenv as the same secrets in strict base64', () => {
  let ok = 0
  const check = (doc: string): void => {
    if (encodesFaithfully(doc)) ok++
  }
  fc.assert(fc.property(fc.oneof(anyDoc, safeDoc.map((s) => s.doc)), explained(check, self)), options)
  // Documents with names that differ only in case are refused; enough must get through.
  assert.ok(ok >= RUNS / 4, `only ${ok} of ${RUNS} documents were encoded`)
})

test('c. encodeEnv keeps every full-line comment, in order', () => {
  fc.assert(fc.property(safeDoc, explained(keepsComments, (d) => d.doc)), options)
})
