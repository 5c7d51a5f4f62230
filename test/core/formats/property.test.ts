// Property tests over generated .env documents: every --format parses (yaml library, as YAML 1.2
// and 1.1, or JSON.parse) and gives back exactly the encoded values in order; the Secret's data is
// base64(base64(value)) and equals what kubectl would make of the env output (our model of it);
// the comments come out in order, each above the entry it preceded; readFormatted reads every
// format back.
//
// On failure fast-check prints the seed and the path; put them into the failing `fc.assert` to
// replay it. FORMATS_PROPERTY_RUNS=20000 hunts harder.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeEnv, renderEnv, type OutputItem } from '../../../src/core/encode.js'
import { commentLines } from '../../../src/core/formats/comments.js'
import { renderFormat } from '../../../src/core/formats/index.js'
import { readKubectlEnvFile } from '../../../src/core/formats/kubectl.js'
import { readFormatted } from '../../../src/core/formats/read.js'
import { envDocument, expectedPairs, readBack, yaml } from './helpers.js'
import { runs } from '../../helpers.js'

const RUNS = Number(process.env.FORMATS_PROPERTY_RUNS ?? runs(1000))
const encoded = envDocument.map((source) => ({ source, result: encodeEnv(source) })).filter(({ result }) => result.ok)

test('generated documents mostly encode (the generator is useful)', () => {
  const samples = fc.sample(envDocument.map((s) => encodeEnv(s)), { numRuns: 300, seed: 4 })
  const ok = samples.filter((r) => r.ok)
  assert.ok(ok.length > 250, `${ok.length} of 300 encode`)
  assert.ok(ok.filter((r) => r.items.some((i) => i.kind === 'comment')).length > 150, 'with comments')
  assert.ok(ok.filter((r) => r.entries.length >= 3).length > 100, 'with several entries')
})

test('every format parses and gives back exactly the encoded values, in order', () => {
  fc.assert(fc.property(encoded, ({ result }) => {
    const expected = expectedPairs(result.entries)
    for (const format of ['helm', 'helm-legacy', 'k8s-secret', 'json'] as const) {
      const text = renderFormat(format, result.items, { eol: result.eol, yaml })
      assert.deepEqual(readBack(format, text), expected, format)
    }
  }), { numRuns: RUNS })
})

test('k8s-secret data is base64(base64(value)), the Secret kubectl makes from the env output', () => {
  fc.assert(fc.property(encoded, ({ source, result }) => {
    const doc = yaml.parse(renderFormat('k8s-secret', result.items, { eol: result.eol, yaml })) as { data: Record<string, string> }
    // From the value dotenv reads to the text in the Secret, without our encoder.
    const dotenvValues = result.entries.map((e) => Buffer.from(e.encoded, 'base64').toString('utf8'))
    assert.deepEqual(Object.values(doc.data), dotenvValues.map((v) =>
      Buffer.from(Buffer.from(v, 'utf8').toString('base64')).toString('base64')))
    const kubectl = readKubectlEnvFile(renderEnv(result.items, result.eol))
    assert.equal(kubectl.error, undefined, `kubectl rejects the env output of ${JSON.stringify(source)}`)
    assert.equal(kubectl.truncatedAt, undefined)
    assert.deepEqual(
      kubectl.entries.map((e) => [e.name, Buffer.from(e.value ?? '<from environment>', 'utf8').toString('base64')]),
      Object.entries(doc.data))
  }), { numRuns: RUNS })
})

/** The comment lines and entries of the input, in order: `#text` for a comment line, `=` for an entry. */
function expectedSequence(items: readonly OutputItem[]): string[] {
  return items.flatMap((i) => i.kind === 'comment' ? commentLines(i.text).map((l) => `#${l === ' ' ? '' : l}`)
    : i.kind === 'entry' ? ['='] : [])
}

test('comments come out in order, each above the entry it preceded', () => {
  fc.assert(fc.property(encoded, ({ result }) => {
    const expected = expectedSequence(result.items)
    for (const format of ['helm', 'helm-legacy', 'k8s-secret'] as const) {
      const text = renderFormat(format, result.items, { yaml })
      const lines = text.split('\n')
      const dataStart = format === 'k8s-secret' ? lines.findIndex((l) => l.startsWith('data:')) : 0
      const got = lines.flatMap((l, n) => {
        const comment = /^\s*#(.*)$/.exec(l)
        if (comment) return [`#${comment[1] as string}`]
        if (format === 'k8s-secret') return n > dataStart && /^ {2}\S/.test(l) ? ['='] : []
        return /^\s*- name: /.test(l) ? ['='] : []
      })
      assert.deepEqual(got, expected, format)
    }
  }), { numRuns: RUNS })
})

test('a printable comment is copied as it is', () => {
  const printable = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\p{Cc}\p{Zl}\p{Zp}\ufeff\ufffe\uffff]/u.test(s))
  fc.assert(fc.property(printable, (text) => {
    const { items } = encodeEnv(`#${text}\nA=1\n`)
    const out = renderFormat('helm', items, { yaml }).split('\n')
    assert.equal(out[2], `    #${text.trimEnd()}`)
  }), { numRuns: RUNS })
})

test('readFormatted reads every format back to the same entries, without a diagnostic', () => {
  fc.assert(fc.property(encoded, ({ result }) => {
    for (const format of ['helm', 'helm-legacy', 'k8s-secret', 'json'] as const) {
      const text = renderFormat(format, result.items, { eol: result.eol, yaml })
      const back = readFormatted(text, yaml)
      assert.ok(back, format)
      assert.equal(back.format, format)
      assert.deepEqual(back.diagnostics, [], format)
      assert.deepEqual(back.entries.map((e) => [e.variable, e.encoded]), expectedPairs(result.entries), format)
    }
    // And the env output is none of these formats.
    assert.equal(readFormatted(renderEnv(result.items, result.eol), yaml), undefined)
  }), { numRuns: RUNS })
})
