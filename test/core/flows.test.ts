// Finding secret('NAME') in flow files: read as YAML (string values only) or, without the yaml
// package, by a scan of the raw text; and checkFlows, the findings of `check --flows`.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as yaml from 'yaml'
import { checkFlows, findSecretReferences, type DefinedSecret } from '../../src/core/flows.js'
import type { Finding } from '../../src/core/check.js'
import { ROOT } from '../helpers.js'

const refs = (text: string): Array<[string, number]> => findSecretReferences(text).references.map((r) => [r.name, r.line])
const yamlRefs = (text: string): Array<[string, number]> =>
  findSecretReferences(text, yaml).references.map((r) => [r.name, r.line])
const CASES = join(ROOT, 'test', 'fixtures', 'flow-cases')
const FLOWS = join(ROOT, 'test', 'fixtures', 'flows')
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8')

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

test('Pebble comments, verbatim and raw text are never rendered: no call in them counts', () => {
  // Pebble's lexer: the first of {{, {% and {# opens the next piece; {# runs to the next #}, and
  // {% verbatim %} to {% endverbatim %}. What is never closed makes the text fail to render.
  const cases: Array<[string, string[]]> = [
    ["{# {{ secret('OLD') }} #} {{ secret('A') }}", ['A']],
    ["{{ secret('B') }} {# secret('C') #} {#- {% if secret('D') %} -#}{{ secret('E') }}", ['B', 'E']],
    ["{{ '{#' }} {{ secret('F') }} {{ '#}' }}", ['F']],
    ["{% verbatim %}{{ secret('V') }}{% endverbatim %} {{ secret('W') }}", ['W']],
    ["{%- verbatim -%} {# {{ secret('V') }} {%- endverbatim -%}{{ secret('X') }}", ['X']],
    ["{% verbatimish %}{{ secret('Y') }}", ['Y']],
    // A {# never closed is passed over: a shell's ${#ARR[@]}, say.
    ["{{ secret('G') }} {# never closed {{ secret('H') }}", ['G', 'H']],
    ["echo ${#ARR[@]} {{ secret('SH') }}", ['SH']],
    ["{{ secret('I') }} {% verbatim %}{{ secret('J') }}", ['I']],
    // Kestra's documentation writes Pebble literally with raw: each kind ends at its own end tag.
    ["{% raw %}{{ secret('RAW') }}{% endraw %} {{ secret('K') }}", ['K']],
    ["{%- raw -%}{{ secret('R1') }}{% endverbatim %}{{ secret('R2') }}{%- endraw -%}{{ secret('L') }}", ['L']],
    ["{% rawish %}{{ secret('M') }}", ['M']],
  ]
  for (const [expression, names] of cases) {
    for (const text of [`a: "${expression}"\n`, `a: |\n  ${expression}\n`]) {
      assert.deepEqual(refs(text).map(([name]) => name), names, text)
      assert.deepEqual(yamlRefs(text).map(([name]) => name), names, text)
    }
  }
  // In the raw text of a file, a shell task's ${#ARR[@]} hides no call of a later value.
  const shell = "tasks:\n  - script: 'echo ${#ARR[@]}'\n  - message: \"{{ secret('DB_PASSWORD') }}\"\n"
  assert.deepEqual(refs(shell), [['DB_PASSWORD', 3]])
  assert.deepEqual(yamlRefs(shell), [['DB_PASSWORD', 3]])
  // Linear: a megabyte of comments, and of openers that are never closed.
  assert.deepEqual(refs(`a: "${"{# secret('Z') #}".repeat(60_000)}{{ secret('LAST') }}"`), [['LAST', 1]])
  assert.deepEqual(refs(`a: "{{ secret('S') }}${'{#{%'.repeat(250_000)}"`), [['S', 1]])
  assert.deepEqual(refs(`a: "${'{#'.repeat(250_000)}{{ secret('T') }}"`), [['T', 1]])
})

test('the flow fixtures, as text and as YAML', () => {
  const dir = join(ROOT, 'test', 'fixtures', 'flows')
  assert.deepEqual(refs(readFileSync(join(dir, 'hello.yml'), 'utf8')),
    [['POSTGRES_USER', 9], ['POSTGRES_PASSWORD', 10], ['api_token', 16], ['MISSING_ONE', 20]])
  const etl = findSecretReferences(readFileSync(join(dir, 'team', 'etl', 'etl.yaml'), 'utf8'))
  assert.deepEqual(etl.references.map((r) => [r.name, r.line]),
    [['SIGNING_KEY', 10], ['Api_Token', 12], ['POSTGRES_USER', 16], ['DB_HOST', 16], ['FLAG', 19]])
  assert.deepEqual(etl.dynamic, [19])
  for (const name of ['hello.yml', 'team/etl/etl.yaml']) {
    const text = readFileSync(join(dir, name), 'utf8')
    assert.deepEqual(findSecretReferences(text, yaml), findSecretReferences(text), name)
  }
})

// ------------------------------------------------------------------------------ read as YAML

test('as YAML: a commented-out task, a comment, a key and prose are not calls', () => {
  const found = findSecretReferences(read(CASES, 'commented.yml'), yaml)
  assert.deepEqual(found.references.map((r) => [r.name, r.line]), [['ACTIVE', 8], ['IN_BLOCK', 17]])
  assert.deepEqual(found.dynamic, [])
  assert.equal(found.unreadable, undefined)
  // The text scan, for comparison, finds the commented-out ones.
  assert.deepEqual(refs(read(CASES, 'commented.yml')).map((r) => r[0]), ['ACTIVE', 'OLD', 'IN_A_COMMENT', 'IN_BLOCK', 'IN_A_KEY'])
})

test('as YAML: the line of each call in block, folded, quoted, plain and flow scalars, across documents', () => {
  assert.deepEqual(yamlRefs(read(CASES, 'lines.yml')), [
    ['LITERAL', 7], ['FOLDED', 11], ['FOLDED_2', 13], ['DOUBLE', 16], ['SINGLE', 19], ['PLAIN', 22],
    ['FLOW_1', 24], ['FLOW_2', 24], ['SPLIT', 27], ['ANCHORED', 30], ['SECOND_DOC', 37],
  ])
  // CRLF line ends; two calls on one line; an escape that spells `secret` (the line of the scalar is then used).
  assert.deepEqual(yamlRefs('a: "{{ secret(\'A\') }}"\r\nb: |\r\n  x\r\n  {{ secret(\'B\') }} {{ secret(\'C\') }}\r\n'),
    [['A', 1], ['B', 4], ['C', 4]])
  assert.deepEqual(yamlRefs('a: 1\nb: "x\\\n  {{ \\x73ecret(\'E\') }}\n  {{ secret(\'F\') }}"\n'), [['E', 2], ['F', 2]])
})

test('as YAML: what Kestra\'s Pebble reads, after YAML has unescaped it', () => {
  // In a double-quoted scalar, \' is no YAML escape; \\" is a quote of Pebble's once YAML has read it.
  assert.deepEqual(yamlRefs('a: "{{ secret(\\"X\\") }}"\nb: \'{{ secret("Y") }}\'\nc: "{{ secret(\\u0027Z\\u0027) }}"\n'),
    [['X', 1], ['Y', 2], ['Z', 3]])
  // An expression in one string and its end in another is no expression.
  assert.deepEqual(yamlRefs('a: "{{ secret(\'SPLIT_OVER\')"\nb: "}}"\n'), [])
  // A string of Pebble's that holds secret( is no call.
  assert.deepEqual(findSecretReferences('a: "{{ \'secret(x)\' }} {{ secret(\'REAL\') }}"\n', yaml),
    { references: [{ name: 'REAL', line: 1 }], dynamic: [] })
  // Not strings: numbers, booleans, binary, null.
  assert.deepEqual(findSecretReferences('a: 1\nb: true\nc: !!binary c2VjcmV0KCdYJyk=\nd: ~\n', yaml), { references: [], dynamic: [] })
})

test('as YAML: a file that is not YAML gives one finding with its line and no text of the file', () => {
  const found = findSecretReferences(read(CASES, 'invalid.yml'), yaml)
  // The document that can be read is still scanned.
  assert.deepEqual(found.references.map((r) => [r.name, r.line]), [['IN_GOOD_DOC', 5]])
  assert.equal(found.unreadable?.line, 12)
  assert.match(found.unreadable?.message ?? '', /^not valid YAML \([A-Z_]+\): Kestra cannot load this flow/)
  const secretText = 'a: "{{ secret(\'S\') }} password=hunter2\n'
  const bad = findSecretReferences(secretText, yaml)
  assert.deepEqual(bad.references, [])
  assert.equal(bad.unreadable?.line, 2)
  assert.ok(!bad.unreadable?.message.includes('hunter2'))
  assert.deepEqual(findSecretReferences('', yaml), { references: [], dynamic: [] })
  assert.deepEqual(findSecretReferences('---\n# only a comment {{ secret(\'C\') }}\n---\n', yaml), { references: [], dynamic: [] })
})

test('as YAML: nesting deeper than any flow is refused, however many such files are read', () => {
  // The yaml package recurses once per level; after one stack overflow, a second could abort Node.
  // The last: the parser pops a thousand levels at once when a key follows at the left margin.
  const blockMaps = '\n' + Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 2)}b:`).join('\n') + '\nlater: 1\n'
  // Each with the line of its 101st open collection.
  const cases: Array<[string, number]> = [['['.repeat(1500) + ']'.repeat(1500), 2], ['\n  ' + '- '.repeat(1500) + 'x\n', 3],
    ['{a: '.repeat(1500) + '1' + '}'.repeat(1500), 2], [blockMaps, 102]]
  for (const [text, line] of cases) {
    for (let i = 0; i < 2; i++) {
      const found = findSecretReferences(`ok: "{{ secret('X') }}"\ndeep: ` + text, yaml)
      assert.deepEqual(found.references, [])
      assert.equal(found.unreadable?.line, line)
      assert.match(found.unreadable?.message ?? '', /^nested more than 100 levels deep/)
    }
  }
  const fine = '['.repeat(90) + "\"{{ secret('DEEP') }}\"" + ']'.repeat(90)
  assert.deepEqual(yamlRefs(fine), [['DEEP', 1]])
})

// ---------------------------------------------------------------------- arguments of secret()

test('subkey, namespace and key: named or by position, literal or computed', () => {
  const found = findSecretReferences(read(CASES, 'subkeys.yml'), yaml)
  assert.deepEqual(found.references, [
    { name: 'DB', line: 7, subkey: 'user' },
    { name: 'db', line: 8, subkey: 'missing' },
    { name: 'DB', line: 9, subkey: 'password', namespace: true },
    { name: 'TOKEN', line: 10, subkey: 'x' },
    { name: 'LIST', line: 11, subkey: '0' },
    { name: 'DB', line: 12, dynamicSubkey: true },
    { name: 'DB', line: 13 },
    { name: 'FROM_HELM', line: 14, subkey: 'x' },
    { name: 'DB', line: 16, dynamicSubkey: true, namespace: true },
    { name: 'ABSENT', line: 17, subkey: 'x' },
  ])
  assert.deepEqual(found.dynamic, [15])
  // Commas and parentheses inside strings and nested calls belong to them.
  assert.deepEqual(findSecretReferences("a: \"{{ secret('A', subkey=('x, y)' ~ f(1, 2))) }} {{ secret(secret('B'), subkey='k') }}\"\n", yaml),
    { references: [{ name: 'A', line: 1, dynamicSubkey: true }, { name: 'B', line: 1 }], dynamic: [1] })
  // `==` is a comparison, so this is the second argument by position: the namespace.
  assert.deepEqual(findSecretReferences("a: \"{{ secret('A', subkey == 'x') }}\"\n", yaml).references,
    [{ name: 'A', line: 1, namespace: true }])
})

// ---------------------------------------------------------------------------------- linear time

test('a megabyte of expressions is scanned in one pass, as text and as YAML', { timeout: 60_000 }, () => {
  // Searching both `{{` and `{%` after every expression made this take minutes.
  const expressions = '{{ x }}'.repeat(150_000)
  assert.deepEqual(findSecretReferences(`a: "${expressions}"\n`), { references: [], dynamic: [] })
  assert.deepEqual(findSecretReferences(`a: "${expressions}"\n`, yaml), { references: [], dynamic: [] })
  const calls = "{{ secret('A') }} {% if x %}y{% endif %}\n".repeat(25_000)
  assert.equal(findSecretReferences(calls).references.length, 25_000)
  const block = findSecretReferences(`a: |\n${calls.replace(/^/gm, '  ')}`, yaml)
  assert.equal(block.references.length, 25_000)
  assert.equal(block.references.at(-1)?.line, 25_001)
  // Calls nested in calls, each argument list read once.
  const nested = 'a: "{{ ' + "secret('A', subkey=f(".repeat(10_000) + ')'.repeat(20_000) + ' }}"\n'
  assert.equal(findSecretReferences(nested, yaml).references.length, 10_000)
  // A string never closed runs to the end of its expression, once.
  const unclosed = "a: '{{ secret(''A'' ~ \"" + 'x'.repeat(1_000_000) + " }}'\n"
  assert.deepEqual(findSecretReferences(unclosed, yaml), { references: [], dynamic: [1] })
})

// -------------------------------------------------------------------------------- checkFlows

const b64 = (s: string): string => Buffer.from(s).toString('base64')
const VALUES = { DB: '{"user":"kestra-user","password":"pw-7f3a"}', TOKEN: 'tok-91c2-plain', LIST: '["first-item"]' }

function defined(...secrets: Array<[name: string, value: string | undefined, file?: string]>): Map<string, DefinedSecret> {
  return new Map(secrets.map(([name, value, file], i): [string, DefinedSecret] => {
    const d: DefinedSecret = { name, variable: `SECRET_${name}`, file: file ?? '.env_encoded', line: i + 1 }
    if (value !== undefined) d.value = value
    return [name, d]
  }))
}

const rows = (findings: readonly Finding[]): Array<[string, number | null, string | null, string, string]> =>
  findings.map((f) => [f.file, f.line ?? null, f.key ?? null, f.code, f.severity])

test('checkFlows: subkeys are checked against the decoded JSON; namespace= is one note per file', () => {
  const secrets = defined(['DB', VALUES.DB], ['TOKEN', VALUES.TOKEN], ['LIST', VALUES.LIST], ['FROM_HELM', undefined, 'values.yaml'],
    ['UNUSED', 'x'])
  const flows = { root: 'flows', files: [{ name: 'flows/subkeys.yml', text: read(CASES, 'subkeys.yml') }] }
  const findings = checkFlows(flows, secrets, '.env_encoded', yaml)
  assert.deepEqual(rows(findings), [
    ['flows/subkeys.yml', 8, 'db', 'flow-missing-subkey', 'error'],
    ['flows/subkeys.yml', 10, 'TOKEN', 'flow-missing-subkey', 'error'],
    ['flows/subkeys.yml', 11, 'LIST', 'flow-missing-subkey', 'error'],
    ['flows/subkeys.yml', 12, 'DB', 'dynamic-subkey', 'note'],
    ['flows/subkeys.yml', 16, 'DB', 'dynamic-subkey', 'note'],
    ['flows/subkeys.yml', 17, 'ABSENT', 'flow-missing-secret', 'error'],
    ['flows/subkeys.yml', 15, null, 'dynamic-secret', 'note'],
    ['flows/subkeys.yml', 9, 'DB', 'ignored-namespace', 'note'],
    ['.env_encoded', 5, 'SECRET_UNUSED', 'unused-secret', 'note'],
  ])
  const message = (line: number, code: string): string | undefined => findings.find((f) => f.line === line && f.code === code)?.message
  assert.equal(message(8, 'flow-missing-subkey'), "secret('db', subkey='missing') reads a field of a JSON object, but the " +
    'JSON object in SECRET_DB (.env_encoded line 1) has no top-level field missing: the flow would fail at run time')
  assert.match(message(10, 'flow-missing-subkey') ?? '', /but SECRET_TOKEN \(\.env_encoded line 2\) is not JSON:/)
  assert.match(message(11, 'flow-missing-subkey') ?? '', /but SECRET_LIST \(\.env_encoded line 3\) is JSON but not an object:/)
  assert.match(message(9, 'ignored-namespace') ?? '', /^secret\('DB'\) is called with namespace= \(as is 1 more call in this file\), /)
  assert.equal(message(17, 'flow-missing-secret'), "secret('ABSENT') is used here but .env_encoded has no SECRET_ABSENT: " +
    'the flow would fail with "Cannot find secret"')
  // Never a value, nor a field of one.
  for (const f of findings) {
    for (const v of [...Object.values(VALUES), 'kestra-user', 'pw-7f3a', 'first-item', b64(VALUES.DB)]) {
      assert.ok(!f.message.includes(v), `${f.code} at ${f.line}`)
    }
  }
})

test('checkFlows: names from elsewhere (a Helm valueFrom) count as defined; unused ones are noted where they are defined', () => {
  const secrets = defined(['FROM_HELM', undefined, 'values.yaml'], ['ACTIVE', undefined, 'values.yaml'], ['IN_BLOCK', 'v'])
  const flows = { root: 'flows', files: [{ name: 'commented.yml', text: read(CASES, 'commented.yml') }] }
  assert.deepEqual(rows(checkFlows(flows, secrets, '.env_encoded', yaml)), [['values.yaml', 1, 'SECRET_FROM_HELM', 'unused-secret', 'note']])
})

test('checkFlows: every finding names the flow file and line', () => {
  const files = ['hello.yml', 'team/etl/etl.yaml'].map((f) => ({ name: `flows/${f}`, text: read(FLOWS, f) }))
  files.push({ name: 'flows/invalid.yml', text: read(CASES, 'invalid.yml') })
  const secrets = defined(['POSTGRES_USER', 'kestra'], ['POSTGRES_PASSWORD', 'pw'], ['API_TOKEN', 'tok'], ['SIGNING_KEY', 'key'],
    ['FLAG', 'on'], ['UNUSED', 'nobody'])
  assert.deepEqual(rows(checkFlows({ root: 'flows', files }, secrets, 'flows.env_encoded', yaml)), [
    ['flows/hello.yml', 20, 'MISSING_ONE', 'flow-missing-secret', 'error'],
    ['flows/hello.yml', 16, 'api_token', 'ignored-namespace', 'note'],
    ['flows/team/etl/etl.yaml', 16, 'DB_HOST', 'flow-missing-secret', 'error'],
    ['flows/team/etl/etl.yaml', 19, null, 'dynamic-secret', 'note'],
    ['flows/invalid.yml', 12, null, 'flow-syntax', 'error'],
    ['flows/invalid.yml', 5, 'IN_GOOD_DOC', 'flow-missing-secret', 'error'],
    ['.env_encoded', 6, 'SECRET_UNUSED', 'unused-secret', 'note'],
  ])
  assert.deepEqual(rows(checkFlows({ root: 'empty', files: [] }, secrets, 'x', yaml)), [['empty', null, null, 'no-flows', 'warning']])
})
