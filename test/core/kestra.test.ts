// decodeKestraValue reads a value's bytes as UTF-8 in a reused buffer and trusts a text without
// U+FFFD: it must give what decoding the bytes on their own gives, for any bytes (well-formed
// UTF-8, a literal U+FFFD, a byte-order mark, broken sequences) and any line breaks Kestra strips.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isUtf8 } from 'node:buffer'
import fc from 'fast-check'
import { decodeKestraValue } from '../../src/core/kestra.js'
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
