// Finding secret('NAME') in flow files by a text scan of their Pebble expressions.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findSecretReferences } from '../../src/core/flows.js'
import { ROOT } from '../helpers.js'

const refs = (text: string): Array<[string, number]> => findSecretReferences(text).references.map((r) => [r.name, r.line])

test('secret() with either quote, with and without further arguments', () => {
  assert.deepEqual(refs(`a: "{{ secret('ONE') }}"\nb: "{{ secret(\\"TWO\\") }}"\nc: "{{secret ( 'three' , namespace='x', subkey='y') }}"\n`),
    [['ONE', 1], ['TWO', 2], ['three', 3]])
  assert.deepEqual(refs(`m: {{ secret("A") ~ secret('B', full=true) }}`), [['A', 1], ['B', 1]])
  assert.deepEqual(refs(`m: "{{ secret(key='NAMED') }}"`), [['NAMED', 1]])
})

test('YAML\'s own quote escapes: \\" in double-quoted and \'\' in single-quoted scalars', () => {
  assert.deepEqual(refs(`a: "{{ secret(\\"DQ\\") }}"\nb: '{{ secret(''SQ'') }}'\n`), [['DQ', 1], ['SQ', 2]])
})

test('multi-line strings and expressions; {% %} tags', () => {
  const text = 'script: |\n  # a shell comment is still rendered\n  echo "{{ secret(\'IN_BLOCK\') }}"\n' +
    'x: "{{\n  secret(\'SPLIT\')\n}}"\ny: "{% if secret(\'TAG\') == 1 %}y{% endif %}"\n'
  assert.deepEqual(refs(text), [['IN_BLOCK', 3], ['SPLIT', 5], ['TAG', 7]])
})

test('only inside expressions, only the function itself, only literal names', () => {
  const text = "description: call secret('PROSE') by hand\n" +
    "a: \"{{ mysecret('NO') }} {{ obj.secret('NO2') }} {{ secret('PRE_' ~ suffix) }} {{ secret(inputs.name) }}\"\n" +
    "b: \"{{ secret('') }}\"\n"
  const found = findSecretReferences(text)
  assert.deepEqual(found.references, [])
  assert.deepEqual(found.dynamic, [2, 2])
})

test('an unclosed expression ends the scan without error', () => {
  assert.deepEqual(refs("a: \"{{ secret('A') }}\"\nb: \"{{ secret('B')\n"), [['A', 1]])
})

test('the flow fixtures', () => {
  const dir = join(ROOT, 'test', 'fixtures', 'flows')
  assert.deepEqual(refs(readFileSync(join(dir, 'hello.yml'), 'utf8')),
    [['POSTGRES_USER', 9], ['POSTGRES_PASSWORD', 10], ['api_token', 16], ['MISSING_ONE', 20]])
  const etl = findSecretReferences(readFileSync(join(dir, 'team', 'etl', 'etl.yaml'), 'utf8'))
  assert.deepEqual(etl.references.map((r) => [r.name, r.line]),
    [['SIGNING_KEY', 10], ['Api_Token', 12], ['POSTGRES_USER', 16], ['DB_HOST', 16], ['FLAG', 19]])
  assert.deepEqual(etl.dynamic, [19])
})

test('a megabyte of expressions is scanned in one pass', { timeout: 60_000 }, () => {
  // Searching both `{{` and `{%` after every expression made this take minutes.
  assert.deepEqual(findSecretReferences(`a: "${'{{ x }}'.repeat(150_000)}"\n`), { references: [], dynamic: [] })
  assert.equal(findSecretReferences("{{ secret('A') }} {% if x %}y{% endif %}\n".repeat(25_000)).references.length, 25_000)
})
