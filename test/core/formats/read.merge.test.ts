// readFormatted and YAML's anchors, aliases and `<<` merge keys, read as Helm and kubectl read them
// (sigs.k8s.io/yaml, a fork of go-yaml v2): a merged item takes its name and value from the merged
// map, and an alias is resolved without searching the document for it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readFormatted, type FormattedDocument } from '../../../src/core/formats/read.js'
import { formatsFixturesDir, yaml } from './helpers.js'

const FIXTURES = join(formatsFixturesDir(), 'read')
const read = (text: string): FormattedDocument | undefined => readFormatted(text, yaml)
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const pairs = (doc: FormattedDocument | undefined): [string, string, number][] =>
  (doc?.entries ?? []).map((e) => [e.variable, e.encoded, e.line])
const codes = (doc: FormattedDocument | undefined): string[] =>
  (doc?.diagnostics ?? []).map((d) => `${d.line ?? '-'}:${d.severity}:${d.code}${d.key === undefined ? '' : `:${d.key}`}`)

test('a values file: items with << take name and value from the merged map, own keys after it win', () => {
  const doc = read(readFileSync(join(FIXTURES, 'merge.helm.yaml'), 'utf8'))
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(codes(doc), [])
  // Before, these had an empty value (no `value` key of their own), and check called the file ready.
  assert.deepEqual(pairs(doc), [
    ['SECRET_DB', b64('db'), 9],
    ['SECRET_DB_REPLICA', b64('db'), 11],
    // In a list of maps the first wins: the unencoded value of *plain, which check then reports.
    ['SECRET_NOT_ENCODED', 'hunter2', 13],
  ])
})

test('go-yaml v2\'s order: the last write wins, so a merge after an own key replaces it', () => {
  const doc = read([
    `base: &b {name: SECRET_MERGED, value: "${b64('merged')}"}`,
    'common:',
    '  extraEnv:',
    `    - {name: SECRET_OWN, value: "${b64('own')}", <<: *b}`,
    `    - {<<: *b, value: "${b64('own')}"}`,
    '',
  ].join('\n'))
  assert.deepEqual(pairs(doc), [['SECRET_MERGED', b64('merged'), 4], ['SECRET_MERGED', b64('own'), 5]])
})

test('a Secret: a merge key in data brings its keys in, checked as data', () => {
  const doc = read(readFileSync(join(FIXTURES, 'merge.k8s-secret.yaml'), 'utf8'))
  assert.equal(doc?.format, 'k8s-secret')
  assert.deepEqual(pairs(doc), [['SECRET_SHARED', b64('shared'), 5], ['SECRET_OWN', b64('own'), 9]])
  // x-shared, which only holds the anchor, is no field of a Secret: a warning.
  assert.deepEqual(codes(doc), ['4:warning:format-invalid', '6:error:format-invalid:SECRET_PLAIN'])
  // Merged into stringData, it replaces data's entry of the same name.
  const over = read([
    'apiVersion: v1',
    'kind: Secret',
    `x: &t {SECRET_A: "${b64('text')}"}`,
    `data: {SECRET_A: ${b64(b64('data'))}, SECRET_B: ${b64(b64('b'))}}`,
    'stringData: {<<: *t}',
    '',
  ].join('\n'))
  assert.deepEqual(pairs(over), [['SECRET_B', b64('b'), 4], ['SECRET_A', b64('text'), 3]])
})

test('merges of merges, chains and cycles end; a merge of something else is an error', () => {
  const chain = ['x0: &m0 {name: SECRET_DEEP}']
  for (let i = 1; i <= 2000; i++) chain.push(`x${i}: &m${i} {<<: *m${i - 1}, k${i}: v}`)
  chain.push('common:', '  extraEnv:', `    - {<<: *m2000, value: "${b64('deep')}"}`, '')
  assert.deepEqual(pairs(read(chain.join('\n'))), [['SECRET_DEEP', b64('deep'), 2004]])
  const cycle = read(`common:\n  extraEnv:\n    - &a {<<: *a, name: SECRET_A}\n`)
  assert.deepEqual(codes(cycle), ['3:error:format-syntax'])
  const scalar = read(`x: &s text\ncommon:\n  extraEnv:\n    - {<<: *s, name: SECRET_A}\n    - {<<: [*s], name: SECRET_B}\n`)
  assert.deepEqual(codes(scalar), ['4:error:format-syntax', '5:error:format-syntax'])
  assert.match(scalar?.diagnostics[0]?.message ?? '', /a << merge key needs a mapping or a list of mappings/)
})

test('an alias without its anchor is an error, not an empty value', () => {
  const doc = read('common:\n  extraEnv:\n    - {name: SECRET_A, value: *nowhere}\n')
  assert.deepEqual(codes(doc), ['3:error:format-syntax'])
  assert.match(doc?.diagnostics[0]?.message ?? '', /an alias \(\*\) names no anchor \(&\) before it/)
  // An alias names the closest anchor of its name before it, as the yaml library and go-yaml read it.
  const twice = read(`a: &v "${b64('one')}"\nb: &v "${b64('two')}"\ncommon:\n  extraEnv: [{name: SECRET_A, value: *v}]\n`)
  assert.deepEqual(pairs(twice), [['SECRET_A', b64('two'), 4]])
})

test('aliases are resolved through one index: the library\'s Alias.resolve, a visit per alias, is never called', () => {
  const lines = ['common:', '  extraEnv:', `    - {name: SECRET_A, value: &v "${b64('a')}"}`]
  for (let i = 0; i < 500; i++) lines.push(`    - {name: SECRET_K${i}, value: *v}`)
  const resolve = Object.getOwnPropertyDescriptor(yaml.Alias.prototype, 'resolve')
  let calls = 0
  // Counted, not timed: each call walks the whole document, which made 389 KB of aliases take minutes.
  yaml.Alias.prototype.resolve = function (...args: Parameters<typeof yaml.Alias.prototype.resolve>) {
    calls++
    return (resolve?.value as typeof yaml.Alias.prototype.resolve).apply(this, args)
  }
  try {
    const doc = read(lines.join('\n'))
    assert.equal(doc?.entries.length, 501)
    assert.ok(doc.entries.every((e) => e.encoded === b64('a')))
  } finally {
    if (resolve !== undefined) Object.defineProperty(yaml.Alias.prototype, 'resolve', resolve)
  }
  assert.equal(calls, 0)
})
