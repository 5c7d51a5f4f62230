// readFormatted and names that swallowed their values: a YAML key `SECRET_DB:"Y3p..."` (no space
// after the colon), a missing colon, `name: SECRET_DB=czNj...`, a JSON member "SECRET_A=...". The
// text after the name is never in a message or a diagnostic's key, no control character either,
// and the entry is left out with an error at its line.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readFormatted, type FormattedDocument } from '../../../src/core/formats/read.js'
import { displayName } from '../../../src/core/names.js'
import { formatsFixturesDir, yaml } from './helpers.js'

const FIXTURES = join(formatsFixturesDir(), 'read')
const read = (text: string): FormattedDocument | undefined => readFormatted(text, yaml, { comments: true })
const codes = (doc: FormattedDocument | undefined): string[] =>
  (doc?.diagnostics ?? []).map((d) => `${d.line ?? '-'}:${d.severity}:${d.code}${d.key === undefined ? '' : `:${d.key}`}`)

/** Every swallowed value in these tests holds `c3dh` or `Y3pO` (base64 text), never a name. */
const SWALLOWED = /c3dh|Y3pO|czNj/
function assertNothingSwallowedShown(doc: FormattedDocument | undefined): void {
  assert.ok(doc !== undefined)
  for (const d of doc.diagnostics) {
    for (const text of [d.message, d.key ?? '']) {
      assert.doesNotMatch(text, SWALLOWED, JSON.stringify(d))
      assert.doesNotMatch(text, /[\x00-\x1f\x7f-\x9f]/, JSON.stringify(d))
    }
  }
  for (const name of [...doc.entries.map((e) => e.variable), ...doc.external.map((v) => v.variable)]) {
    assert.doesNotMatch(name, SWALLOWED, name)
  }
}

test('a values file: names with = or : or a quote or a tab, and an item key that took its value', () => {
  const doc = read(readFileSync(join(FIXTURES, 'swallowed.helm.yaml'), 'utf8'))
  assert.equal(doc?.format, 'helm')
  assertNothingSwallowedShown(doc)
  assert.deepEqual(codes(doc), [
    '4:error:value-in-name:SECRET_DB…', '5:error:value-in-name:SECRET_API…', '6:error:value-in-name:SECRET_QUOTED…',
    '7:error:value-in-name:SECRET_OK', '8:error:value-in-name:SECRET_TAB…',
  ])
  assert.deepEqual(doc.entries.map((e) => e.variable), ['SECRET_GOOD'])
  assert.match(doc.diagnostics[0]?.message ?? '', /^the name of item 1 of common\.extraEnv, SECRET_DB…, runs on into/)
  // SECRET_OK's `value:"..."` would have read as no value, which Kubernetes sets to "".
  assert.match(doc.diagnostics[3]?.message ?? '', /has a key, value…, that runs on into/)
  // In a block, `value:"..."` is a syntax error, and a document with one is not read at all (Helm
  // reads none of it): what the yaml library makes of the lines after it are no names to show.
  const broken = read('common:\n  extraEnv:\n    - name: SECRET_OK\n      value:"c3dhbGxvd2VkNA=="\n    - name: SECRET_GOOD\n      value: "Z29vZA=="\n')
  assert.equal(broken?.format, 'helm')
  assert.deepEqual(codes(broken), ['4:error:format-syntax'])
  assert.deepEqual(broken?.entries, [])
})

test('a document with a syntax error is not read: a value on a line of its own never becomes a name shown', () => {
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  SECRET_KEY:\n  q83vASNFZ4mrq83v\n'
  const doc = read(secret)
  assert.equal(doc?.format, 'k8s-secret')
  assert.deepEqual(codes(doc), ['7:error:format-syntax'])
  assert.deepEqual(doc?.entries, [])
  assertNothingSwallowedShown(doc)
  assert.doesNotMatch(JSON.stringify(doc), /q83v/)
})

test('a Secret: a key with no space after its colon, or no colon, swallows the lines after it', () => {
  const doc = read(readFileSync(join(FIXTURES, 'swallowed.k8s-secret.yaml'), 'utf8'))
  assert.equal(doc?.format, 'k8s-secret')
  assertNothingSwallowedShown(doc)
  // A key over two lines is a syntax error: nothing of the document is read.
  assert.deepEqual(codes(doc), ['6:error:format-syntax'])
  assert.match(doc.diagnostics[0]?.message ?? '', /a key runs over more than one line/)
  assert.deepEqual(doc.entries, [])
  for (const [text, line] of [
    // On one line, YAML reads the key as a key with no value, or the whole field as text.
    ['apiVersion: v1\nkind: Secret\nstringData:\n  SECRET_A: "x"\n  SECRET_DB:"Y3pOabc"\n', 5],
    ['apiVersion: v1\nkind: Secret\nstringData:\n  SECRET_A: x\n  SECRET_DB Y3pOabc\n', 5],
    ['apiVersion: v1\nkind: Secret\ndata: {SECRET_DB:"Y3pO", SECRET_A: eA==}\n', 3],
    ['apiVersion: v1\nkind: Secret\nstringData:\n  SECRET_DB:"Y3pOabc"\n', 4],
  ] as const) {
    const one = read(text)
    assertNothingSwallowedShown(one)
    assert.ok(one?.diagnostics.some((d) => d.severity === 'error' && d.line === line), `${JSON.stringify(text)}: ${codes(one)}`)
    assert.ok(one?.entries.every((e) => !e.variable.startsWith('SECRET_DB')))
  }
})

test('JSON: a member name that holds NAME=value, or a control character before it', () => {
  const doc = read(readFileSync(join(FIXTURES, 'swallowed.json'), 'utf8'))
  assert.equal(doc?.format, 'json')
  assertNothingSwallowedShown(doc)
  assert.deepEqual(codes(doc), [
    '3:error:value-in-name:SECRET_A…', '4:error:value-in-name:SECRET_B…', '5:error:value-in-name:SECRET_C…',
  ])
  assert.deepEqual(doc.entries.map((e) => e.variable), ['SECRET_GOOD'])
  // Other names that are not names are passed on for the caller's rule, and shown by displayName.
  const other = read('{"SECRET_\\u00e9": 1, "SECRET_X\\u0007": true}')
  assertNothingSwallowedShown(other)
  assert.deepEqual(codes(other), ['1:error:format-invalid:SECRET_…', '1:error:format-invalid:SECRET_X…'])
})

test('every diagnostic key a reader gives is the displayName of the name', () => {
  for (const file of ['swallowed.helm.yaml', 'swallowed.k8s-secret.yaml', 'swallowed.json', 'deployments.helm.yaml']) {
    const doc = read(readFileSync(join(FIXTURES, file), 'utf8'))
    for (const d of doc?.diagnostics ?? []) if (d.key !== undefined) assert.equal(displayName(d.key), d.key, `${file}: ${d.key}`)
  }
  // Even where the value is only not a string.
  const doc = read('common:\n  extraEnv:\n    - {name: "SECRET_\\x01A", value: 1}\n    - {name: "SECRET_\\u00e9", valueFrom: {}}\n')
  assert.deepEqual(codes(doc), ['3:error:format-invalid:SECRET_…', '4:error:format-invalid:SECRET_…'])
  assertNothingSwallowedShown(doc)
})
