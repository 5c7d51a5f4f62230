// decodeKestraValue (through readKestraValue, the core's lazy form) decodes a value's bytes in a
// reused buffer, through atob when they are ASCII: it must give what decoding the bytes on their
// own gives, for any bytes (well-formed UTF-8, a literal U+FFFD, a byte-order mark, broken
// sequences) and any line breaks Kestra strips.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isUtf8 } from 'node:buffer'
import fc from 'fast-check'
import { decodeKestraValue, readKestraValue } from '../../src/core/kestra.js'
import { runs } from '../helpers.js'

/** Kestra's decoding written out: the bytes, whether they are UTF-8, and the text Java makes of them. */
function reference(bytes: Uint8Array): { bytes: number[]; utf8: boolean; text: string } {
  return { bytes: [...bytes], utf8: isUtf8(bytes), text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) }
}

function decoded(value: string): { bytes: number[]; utf8: boolean; text: string } {
  const d = decodeKestraValue(value)
  assert.ok(d.ok, value)
  return { bytes: [...d.bytes], utf8: d.utf8, text: d.text }
}

test('decodeKestraValue: the bytes, utf8 and text of any bytes, as decoding them alone gives', () => {
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom([0xef, 0xbf, 0xbd], [0xef, 0xbb, 0xbf], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80], [0xed, 0xa0, 0x80]).map((b) => Uint8Array.from(b)),
    fc.string({ maxLength: 6 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
  )
  fc.assert(fc.property(fc.array(piece, { maxLength: 6 }), fc.boolean(), (pieces, wrap) => {
    const bytes = Buffer.concat(pieces)
    let base64 = bytes.toString('base64')
    if (wrap) base64 = base64.replace(/(.{4})/g, '$1\n')
    assert.deepEqual(decoded(base64), reference(bytes))
  }), { numRuns: runs(3000) })
})

test('decodeKestraValue: a literal U+FFFD is UTF-8, a broken sequence is not; long values too', () => {
  const cases = [Buffer.from('a\uFFFDb'), Buffer.from([0x61, 0xff, 0x62]), Buffer.from('\uFEFFbom'), Buffer.alloc(100_000, 'é')]
  for (const bytes of cases) assert.deepEqual(decoded(bytes.toString('base64')), reference(bytes))
  assert.equal(decodeKestraValue('not base64!').ok, false)
})

test('decodeKestraValue gives plain data, every field its own: a spread, JSON and structuredClone keep it whole', () => {
  for (const [base64, text, utf8] of [['aGk=', 'hi', true], ['/w==', '\uFFFD', false], ['w6k=', 'é', true]] as const) {
    const v = decodeKestraValue(base64)
    const whole = { ok: true, bytes: new Uint8Array(Buffer.from(base64, 'base64')), utf8, text }
    assert.deepEqual({ ...v, bytes: [...(v as { bytes: Uint8Array }).bytes] }, { ...whole, bytes: [...whole.bytes] }, base64)
    assert.deepEqual(Object.keys(v).sort(), ['bytes', 'ok', 'text', 'utf8'], base64)
    assert.equal((structuredClone(v) as { text: string }).text, text, base64)
    assert.equal(JSON.parse(JSON.stringify(v)).text, text, base64)
    // The core's lazy form tells the same.
    const lazy = readKestraValue(base64)
    assert.ok(lazy.ok)
    assert.deepEqual([[...lazy.bytes], lazy.utf8, lazy.text], [[...whole.bytes], utf8, text], base64)
  }
  assert.deepEqual(decodeKestraValue('a-b_'), { ok: false, problem: 'url-safe' })
})
