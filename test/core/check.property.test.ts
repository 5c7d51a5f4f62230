// No false failure: whatever encode --strict writes, check --against the same .env --strict
// passes, in every format (issue 12). Generated .env documents, as the formats tests make them.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { checkEncoded } from '../../src/core/check.js'
import { encodeEnv } from '../../src/core/encode.js'
import { FORMATS, renderFormat } from '../../src/core/formats/index.js'
import { runs } from '../helpers.js'
import { envDocument, yaml } from './formats/helpers.js'

test('encode --strict, then check --against --strict: ready, with nothing but notes', () => {
  let strictPasses = 0
  fc.assert(fc.property(envDocument, (source) => {
    const r = encodeEnv(source)
    // What --strict lets through: no error, no warning (notes never fail).
    if (!r.ok || r.diagnostics.some((d) => d.severity !== 'note') || r.entries.length === 0) return
    strictPasses++
    for (const format of FORMATS) {
      const written = renderFormat(format, r.items, { eol: r.eol, yaml })
      const checked = checkEncoded(written, { yaml, against: { name: '.env', text: source } })
      assert.deepEqual(checked.findings.filter((f) => f.severity !== 'note').map((f) => [f.code, f.line, f.key]), [],
        `${format} of ${JSON.stringify(source)}`)
    }
  }), { numRuns: runs(3000) })
  assert.ok(strictPasses > 0, 'some documents pass encode --strict')
})
