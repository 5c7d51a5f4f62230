// Every format round-trips (issue 4): for generated .env documents D and each format F,
// dotenv.parse(decode(encode --format F of D)) equals dotenv.parse(D); the comments of D come back
// in order, each before the entry it preceded; and check finds the output of F ready for Kestra.
//
// On failure fast-check prints the seed and the path; put them into the failing `fc.assert` to
// replay it. DECODE_FORMATS_PROPERTY_RUNS=20000 hunts harder.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import dotenv from 'dotenv'
import { checkEncoded } from '../../src/core/check.js'
import { decodeEnv } from '../../src/core/decode.js'
import { encodeEnv, type OutputItem } from '../../src/core/encode.js'
import { commentLines } from '../../src/core/formats/comments.js'
import { renderFormat } from '../../src/core/formats/index.js'
import { dependsOnLaterLines, quoteValue } from '../../src/core/quote.js'
import { scan } from '../../src/core/scan.js'
import { envDocument, yaml } from './formats/helpers.js'
import { runs } from '../helpers.js'

const RUNS = Number(process.env.DECODE_FORMATS_PROPERTY_RUNS ?? runs(1000))
const FORMATS = ['helm', 'helm-legacy', 'k8s-secret', 'json'] as const

/**
 * Comment lines (`#text`) and entries (`=`) of the input, in order, as the YAML formats keep them.
 * A commented-out entry (encoded by encode, decoded by decode) is `#=` on both sides.
 */
function expectedSequence(items: readonly OutputItem[]): string[] {
  return items.flatMap((i) => i.kind === 'comment' ? commentLines(i.text).map((l) => commented(`#${l.trim() === '' ? '' : l}`))
    : i.kind === 'entry' ? ['='] : [])
}

function commented(line: string): string {
  return /^#\s*(?:export\s+)?[\w.-]+\s*=/.test(line) ? '#=' : line
}

/** The same of a decoded .env: each entry (which may span lines) as `=`, then its comment lines. */
function sequence(text: string): string[] {
  const { text: t, entries } = scan(text)
  let rest = ''
  let cursor = 0
  for (const e of entries) {
    rest += `${t.slice(cursor, e.start)}=`
    cursor = e.valueEnd
  }
  rest += t.slice(cursor)
  return rest.split('\n').filter((l) => l.startsWith('#') || l === '=').map(commented)
}

/** decode of F of `source`, checked on the way; returns the decoded .env. */
function roundTrip(source: string, format: (typeof FORMATS)[number], items: readonly OutputItem[], eol: '\n' | '\r\n'): string {
  const document = renderFormat(format, items, { eol, yaml })
  const decoded = decodeEnv(document, { yaml })
  assert.ok(decoded.ok, `${format}: ${JSON.stringify(decoded.diagnostics)}`)
  assert.equal(decoded.format, format)
  assert.deepEqual(decoded.diagnostics.filter((d) => d.code !== 'no-entries'), [], format)
  const checked = checkEncoded(document, { yaml, against: { name: 'plain', text: source } })
  assert.equal(checked.format, format)
  assert.deepEqual(checked.findings.filter((f) => f.severity === 'error').map((f) => f.code),
    items.some((i) => i.kind === 'entry') ? [] : ['no-secrets'], `check of ${format} of ${JSON.stringify(source)}`)
  return decoded.text
}

test('decode of every format gives back what dotenv reads from the input, comments in order', () => {
  const encoded = envDocument.map((source) => ({ source, result: encodeEnv(source) })).filter(({ result }) => result.ok)
  fc.assert(fc.property(encoded, ({ source, result }) => {
    const expected = dotenv.parse(source)
    for (const format of FORMATS) {
      const text = roundTrip(source, format, result.items, result.eol)
      assert.deepEqual(dotenv.parse(text), expected, format)
      assert.deepEqual(sequence(text), format === 'json'
        ? result.entries.map(() => '=')
        : expectedSequence(result.items), `${format}: comments and entries in order`)
      if (text !== '') assert.equal(text.includes('\r\n'), result.eol === '\r\n', `${format}: line endings`)
    }
  }), { numRuns: RUNS })
})

// Values of any kind: every value that a .env can hold (that quoteValue can write) comes back.
const TRICKY = [
  'a', 'Z', '0', ' ', '\t', '\n', '\r', '#', '=', ':', '$', '\\', "'", '"', '`', '{{', '}}', '- ', '---', '&a', '*a', '!',
  '\u2028', '\u2029', '\u0085', '\u00a0', '\uFEFF', '\u0001', '\u007f', 'é', '日', '😀', 'yes', '0777', 'null', '~',
]
const value = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
).filter((v) => {
  // Values each line carries whatever the others hold: not the last resort of quoteValue, which
  // decode.property.test.ts tests with the lines that would take it.
  const written = quoteValue(v)
  return !v.includes('\0') && written !== undefined && !dependsOnLaterLines(written)
})

test('every value a .env can hold survives each format and back', () => {
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.boolean(), (values, crlf) => {
    const eol = crlf ? '\r\n' : '\n'
    const source = values.map((v, i) => `K${i}=${quoteValue(v) as string}`).join(eol) + eol
    const expected = dotenv.parse(source)
    assert.deepEqual(Object.values(expected), values, 'the source itself reads back')
    const result = encodeEnv(source)
    assert.ok(result.ok, JSON.stringify(result.diagnostics))
    for (const format of FORMATS) {
      assert.deepEqual(dotenv.parse(roundTrip(source, format, result.items, result.eol)), expected, format)
    }
  }), { numRuns: RUNS })
})
