import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { encodeEnv } from '../../src/core/encode.js'
import { ROOT } from '../helpers.js'

/**
 * Speed work must not change a byte of output. The outputs of the fixture files are kept in
 * test/fixtures/golden/, and those of 3,000 documents generated from a fixed seed as one hash.
 * When output changes on purpose, regenerate with UPDATE_GOLDEN=1 and say why in the commit.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const FIXTURES = join(ROOT, 'test', 'fixtures')
const GOLDEN = join(FIXTURES, 'golden')
const CORPUS = 'test/fixtures/golden/corpus.jsonl'

const run = (text: string): string => {
  const r = encodeEnv(text, { allowDuplicates: true, force: true })
  return JSON.stringify({ ok: r.ok, text: r.text, diagnostics: r.diagnostics.map((d) => [d.code, d.severity, d.line ?? null, d.key ?? null]) }, null, 1) + '\n'
}

const inputs = (): Array<[string, string]> => [
  ...readdirSync(FIXTURES).filter((f) => f.endsWith('.env')).map((f): [string, string] => [f, join(FIXTURES, f)]),
  ...readdirSync(join(FIXTURES, 'formats')).filter((f) => f.endsWith('.env')).map((f): [string, string] => [`formats-${f}`, join(FIXTURES, 'formats', f)]),
]

test('the output of every fixture is byte for byte the golden one', () => {
  const files = inputs()
  assert.ok(files.length >= 20)
  for (const [name, path] of files) {
    const out = run(readFileSync(path, 'utf8'))
    const golden = join(GOLDEN, `${name}.json`)
    if (UPDATE) writeFileSync(golden, out)
    assert.equal(out, readFileSync(golden, 'utf8'), name)
  }
})

const piece = fc.oneof(
  fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', '#', '=', ':', '"', "'", '`', '\\', '\\n', 'export ', '\uFEFF', '\u2028', '$', '{', 'é', '😀'),
  fc.constantFrom('A', 'b_1', 'KEY', 'key', 'SECRET_X', 'x.y', 'z-w', '__proto__'),
  fc.string({ maxLength: 6 }),
)
const document = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''))

test('3,000 generated documents encode to their golden outputs', () => {
  // One line per document, its input and its output, so that a change shows as a diff.
  const lines = fc.sample(document, { seed: 20261122, numRuns: 3000 })
    .map((doc) => JSON.stringify({ doc, out: JSON.parse(run(doc)) as unknown }))
  const file = join(GOLDEN, 'corpus.jsonl')
  if (UPDATE) writeFileSync(file, lines.join('\n') + '\n')
  const golden = readFileSync(file, 'utf8').split('\n')
  lines.forEach((line, i) => assert.equal(line, golden[i], `document ${i + 1} of ${CORPUS}`))
  assert.equal(golden.length, lines.length + 1)
})
