// readFormatted on large documents: aliases, a Secret of 130,000 entries, values files with 130,000
// comment lines. Each took minutes (a search per alias, a filter of every entry against every
// other, a join of all the comments so far per left-out entry) or overflowed the stack (a spread of
// every entry or comment into one call). Speed is measured by npm run bench, never asserted here:
// these must only finish within the runner's timeout, which quadratic code does not.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFormatted } from '../../../src/core/formats/read.js'
import { longTest } from '../../helpers.js'
import { yaml } from './helpers.js'

const N = 130_000
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const LONG = { ...longTest, timeout: 120_000 }

test('20,000 aliases', LONG, () => {
  const lines = ['common:', '  extraEnv:', `    - name: SECRET_A`, `      value: &v "${b64('a')}"`]
  for (let i = 0; i < 20_000; i++) lines.push(`    - {name: SECRET_K${i}, value: *v}`)
  const doc = readFormatted(lines.join('\n') + '\n', yaml)
  assert.equal(doc?.entries.length, 20_001)
  assert.equal(doc.entries.at(-1)?.encoded, b64('a'))
  assert.deepEqual(doc.diagnostics, [])
})

test('a Secret of 130,000 entries in data and stringData, stringData replacing half of data', LONG, () => {
  const lines = ['apiVersion: v1', 'kind: Secret', 'data:']
  for (let i = 0; i < N / 2; i++) lines.push(`  SECRET_K${i}: ${b64(b64(`d${i}`))} # data ${i}`)
  lines.push('stringData:')
  for (let i = 0; i < N / 2; i += 2) lines.push(`  SECRET_K${i}: "${b64(`s${i}`)}"`)
  for (let i = N / 2; i < N / 2 + N / 4; i++) lines.push(`  SECRET_K${i}: "${b64(`s${i}`)}"`)
  // A value that is not a string: an error after the warnings of the data entries replaced.
  lines.push('  SECRET_BAD: 1')
  const doc = readFormatted(lines.join('\n') + '\n', yaml, { comments: true })
  assert.equal(doc?.entries.length, N / 4 + N / 4 + N / 4)
  assert.equal(doc.entries[0]?.variable, 'SECRET_K1')
  assert.equal(doc.entries[0]?.encoded, b64('d1'))
  assert.equal(doc.entries.at(-1)?.variable, `SECRET_K${N / 2 + N / 4 - 1}`)
  // Each data entry that stringData replaces (with another value): a warning at its line.
  assert.equal(doc.diagnostics.length, N / 4 + 1)
  assert.deepEqual(doc.diagnostics.slice(0, 2).map((d) => [d.line, d.key, d.code, d.severity]),
    [[4, 'SECRET_K0', 'duplicate', 'warning'], [6, 'SECRET_K2', 'duplicate', 'warning']])
  assert.deepEqual(doc.diagnostics.at(-1)?.code, 'format-invalid')

  const broken = ['apiVersion: v1', 'kind: Secret', 'data:']
  for (let i = 0; i < N; i++) broken.push(`  SECRET_K${i}: not-base64`)
  const errors = readFormatted(broken.join('\n') + '\n', yaml)
  assert.equal(errors?.diagnostics.length, N)
})

test('values files with 130,000 comment lines: before an entry, inside an item, on left-out entries', LONG, () => {
  const comments = (indent: string): string[] => Array.from({ length: N }, (_, i) => `${indent}# comment ${i}`)
  const value = `"${b64('a')}"`
  const shapes = {
    'before an entry': ['common:', '  extraEnv:', ...comments('    '), '    - name: SECRET_A', `      value: ${value}`],
    'after the last entry': ['common:', '  extraEnv:', '    - name: SECRET_A', `      value: ${value}`, ...comments('    ')],
    'inside an item': ['common:', '  extraEnv:', '    - name: SECRET_A', ...comments('      '), `      value: ${value}`],
    'on the keys of one item': ['common:', '  extraEnv:', '    - name: SECRET_A', `      value: ${value}`,
      ...Array.from({ length: N }, (_, i) => `      k${i}: x # comment ${i}`)],
    'on left-out entries': ['common:', '  extraEnv:',
      ...Array.from({ length: N / 2 }, (_, i) => `    # comment ${i}\n    - {name: SECRET_R${i}, valueFrom: {fieldRef: {fieldPath: x}}}`),
      '    - name: SECRET_A', `      value: ${value}`],
  }
  for (const [shape, lines] of Object.entries(shapes)) {
    const doc = readFormatted(lines.join('\n') + '\n', yaml, { comments: true })
    assert.equal(doc?.format, 'helm', shape)
    assert.deepEqual(doc.entries.map((e) => e.variable), ['SECRET_A'], shape)
    assert.ok(doc.diagnostics.every((d) => d.severity !== 'error'), shape)
    const text = [doc.entries[0]?.commentBefore, doc.entries[0]?.comment, doc.comment].join('\n')
    assert.ok(text.includes('comment 0') && text.includes(`comment ${shape === 'on left-out entries' ? N / 2 - 1 : N - 1}`), shape)
  }
})

test('20,000 deployments whose names are all shown as <base64>: each its own list, numbered', LONG, () => {
  // The labels were numbered by trying (2), (3), ... from 2 for each name: 8,000 took 20 s.
  const n = 20_000
  const lines = ['deployments:']
  for (let i = 0; i < n; i++) lines.push(`  ${b64(`deployment number ${i}`).replace(/=+$/, '')}: {extraEnv: [{name: SECRET_A, value: "${b64('a')}"}]}`)
  const doc = readFormatted(lines.join('\n') + '\n', yaml)
  assert.equal(doc?.entries.length, n)
  assert.deepEqual(doc.entries.slice(0, 2).map((e) => e.list), ['deployments.<base64>.extraEnv', 'deployments.<base64> (2).extraEnv'])
  assert.equal(doc.entries.at(-1)?.list, `deployments.<base64> (${n}).extraEnv`)
  assert.equal(new Set(doc.entries.map((e) => e.list)).size, n)
})
