// The shapes the cold-start work on `scan` and `encodeEnv` made fast (issue 5's adversarial
// inputs, small): entries that share a line, unterminated quotes on every line, runs of
// backslashes, names in a text stored two bytes a character. Each fast path is checked against
// dotenv or against the general path it shortens. Behaviour only: nothing here is timed.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import dotenv from 'dotenv'
import fc from 'fast-check'
import { encodeValue, encodeValues } from '../../src/core/base64.js'
import { encodeEnv, renderEnv } from '../../src/core/encode.js'
import { scan, toRecord } from '../../src/core/scan.js'

const LS = '\u2028'
const PS = '\u2029'
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

function sameAsDotenv(doc: string): void {
  assert.deepStrictEqual({ ...toRecord(scan(doc).entries) }, { ...dotenv.parse(doc) }, JSON.stringify(doc))
}

test('entries joined by U+2028 or U+2029 on one line are all read, one secret each', () => {
  const parts = Array.from({ length: 50 }, (_, i) => `K${String(i).padStart(4, '0')}="v${i % 7}"`)
  for (const sep of [LS, PS, ` ${LS}`, `${LS} `, `${LS}${LS}`]) {
    const doc = parts.join(sep) + '\n'
    sameAsDotenv(doc)
    const r = encodeEnv(doc)
    assert.equal(r.ok, true)
    assert.deepEqual(r.diagnostics, [])
    assert.equal(r.text, parts.map((_, i) => `SECRET_K${String(i).padStart(4, '0')}=${b64(`v${i % 7}`)}\n`).join(''))
    assert.ok(r.entries.every((e) => e.line === 1))
  }
})

test('what follows a closing quote decides where the match ends: each case against dotenv', () => {
  const after = ['', '\n', '\nB=2', `${LS}B=2`, `${PS}#c`, '\n#c', '\n\n B=2', ' #c\nB=2', 'x\nB=2', '#x', `${LS} `, '\n"', `\n'B=2'`]
  for (const q of ['"', "'", '`']) {
    for (const a of after) sameAsDotenv(`A=${q}v${q}${a}`)
  }
})

test('unterminated quotes on every line: each value is its line, each line one warning', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `K${String(i).padStart(5, '0')}="${'x'.repeat(i % 9 + 1)}`)
  const doc = lines.join('\n') + '\n'
  sameAsDotenv(doc)
  const r = encodeEnv(doc)
  assert.equal(r.ok, true)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.key]), lines.map((l, i) => ['unterminated-quote', i + 1, l.slice(0, 6)]))
  assert.match(r.diagnostics[0]?.message ?? '', /^the value of K00000 opens a quote that is never closed/)
  assert.deepEqual(r.entries.map((e) => Buffer.from(e.encoded, 'base64').toString()), lines.map((l) => l.slice(7)))
})

test('a quote of the same kind later in an unquoted value is text after the quote', () => {
  const r = encodeEnv('A="a"b\nB=\'x\nC="c" "\nD=`d\n`e\nE=\'e\' \'f\n')
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.key]), [
    ['text-after-quote', 1, 'A'], ['unterminated-quote', 2, 'B'], ['unterminated-quote', 4, 'D'],
    ['ignored-line', 5, undefined], ['text-after-quote', 6, 'E'],
  ])
})

test('runs of backslashes inside double quotes', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 1000, 1001]) {
    const run = '\\'.repeat(n)
    for (const doc of [`K="${run}"\n`, `K="${run}n"\n`, `K="a${run}r${run}"\n`, `K="${run}\n`, `K='${run}'\n`]) {
      sameAsDotenv(doc)
      const r = encodeEnv(doc)
      const value = dotenv.parse(doc)['K'] ?? ''
      assert.equal(r.entries[0]?.encoded, b64(value), JSON.stringify(doc))
      const escapes = r.diagnostics.filter((d) => d.code === 'literal-escape').length
      assert.equal(escapes, /^"/.test(doc.slice(2)) && /\\(?![nr])/.test(dotenv.parse(doc)['K'] ?? '') ? 1 : 0, JSON.stringify(doc))
    }
  }
})

test('encodeValues gives what encodeValue gives, value by value', () => {
  const unit = fc.constantFrom('a', 'Z', '0', '+', '\0', '\x7f', ' ', '\n', 'é', '\u00ff', '中', '😀', '\ud800')
  fc.assert(fc.property(fc.array(fc.string({ unit, maxLength: 8 }), { maxLength: 12 }), (values) => {
    assert.deepStrictEqual(encodeValues(values), values.map((v) => encodeValue(v)))
  }), { numRuns: 3000 })
  assert.deepStrictEqual(encodeValues([]), [])
})

test('names from a text stored two bytes a character compare and collide as they should', () => {
  const doc = `A="1"${LS}b="2"${LS}B="3"\nC=😀\nC=4\n`
  assert.deepEqual(scan(doc).entries.map((e) => e.key), ['A', 'b', 'B', 'C', 'C'])
  const r = encodeEnv(doc)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.key]), [['case-collision', 1, 'B'], ['duplicate', 3, 'C']])
  const allowed = encodeEnv(`A='1'${LS}A='2'\n__proto__=x 😀\n`, { allowDuplicates: true })
  assert.deepEqual(allowed.diagnostics.map((d) => [d.code, d.line, d.key]), [['duplicate', 1, 'A'], ['ignored-name', 2, '__proto__']])
  assert.equal(allowed.text, `SECRET_A=${b64('2')}\n`)
})

test('the text encodeEnv builds along the way is renderEnv of its items', () => {
  const piece = fc.constantFrom('\n', '\r\n', ' ', '\t', '#', '=', ':', ': ', '"', "'", '\\', 'export ', '\uFEFF', LS, PS,
    'A', 'key', 'x.y', 'K=v', 'K="v"', '# c', ' #c', '__proto__=1', 'é', '😀')
  const doc = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''))
  fc.assert(fc.property(doc, (d) => {
    for (const options of [{}, { allowDuplicates: true, force: true }]) {
      const r = encodeEnv(d, options)
      if (r.ok) assert.equal(renderEnv(r.items, r.eol), r.text)
    }
    sameAsDotenv(d)
  }), { numRuns: 3000 })
})

test('comments after values on lines that share a line feed', () => {
  for (const doc of [`A=1#a${LS}B=2 #b${LS}C="3"#c\n`, `A=1 #a${PS}B='2'\n#x\nC=3`, `A=#${LS}B=#${LS}`, `A=1${LS}#B=2\nC=3 # ${LS} D=4\n`]) {
    sameAsDotenv(doc)
    const r = encodeEnv(doc, { allowDuplicates: true })
    assert.equal(renderEnv(r.items, r.eol), r.text)
  }
  const r = encodeEnv(`A=1#a${LS}B=2 #b\n`)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.key]), [['hash-in-value', 'A']])
  assert.deepEqual(r.items.map((i) => i.kind === 'comment' ? i.text : i.kind), ['entry', '#b', 'entry'])
})

test('runs of blank lines, counted by their line feeds, keep every blank line and no other', () => {
  // Each input line becomes one output line: an entry its SECRET_ line, a comment itself, a line
  // of white space only a blank line; the rest of an entry's line, the indentation before an
  // entry and the empty end of the text are none.
  const space = fc.constantFrom('', ' ', '\t', '  \t ', '\u00a0', '\u3000', '\f')
  const line = fc.oneof(
    { weight: 3, arbitrary: space.map((s) => ({ text: s, out: '' })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('', '  ', '\t'), fc.nat(99)).map(([indent, i]) => ({ text: `${indent}K${i}=v${i}`, out: `SECRET_K${i}=${b64(`v${i}`)}` })) },
    { weight: 1, arbitrary: fc.constantFrom('# c', '  # indented').map((c) => ({ text: c, out: c })) },
  )
  fc.assert(fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (lines, lastLineFeed) => {
    // Names once each, so that nothing is a duplicate.
    const seen = new Set<string>()
    const unique = lines.filter((l) => !l.out.startsWith('SECRET_') || (!seen.has(l.out.split('=')[0] as string) && seen.add(l.out.split('=')[0] as string)))
    const doc = unique.map((l) => l.text).join('\n') + (lastLineFeed ? '\n' : '')
    const r = encodeEnv(doc)
    if (!unique.some((l) => l.out.startsWith('SECRET_'))) return
    assert.ok(r.ok, JSON.stringify(doc))
    // Without a last line feed, a last line that is empty is the end of the text, no line; one of
    // spaces is a blank line.
    const expected = unique.map((l) => l.out)
    if (!lastLineFeed && unique[unique.length - 1]?.text === '') expected.pop()
    assert.equal(r.text, expected.length === 0 ? '' : expected.join('\n') + '\n', JSON.stringify(doc))
  }), { numRuns: 3000 })
})
