// readFormatted: recognising a values file, a Secret manifest or a JSON object from its content,
// and reading back the text Kestra receives for each variable, with lines, and diagnostics that
// never quote a value.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mightBeFormatted, mightBeJson, readFormatted, type DocumentFormat, type FormattedDocument } from '../../../src/core/formats/read.js'
import { yaml } from './helpers.js'

const read = (text: string): FormattedDocument | undefined => readFormatted(text, yaml)
const pairs = (doc: FormattedDocument | undefined): [string, string, number][] =>
  (doc?.entries ?? []).map((e) => [e.variable, e.encoded, e.line])
const codes = (doc: FormattedDocument | undefined): string[] =>
  (doc?.diagnostics ?? []).map((d) => `${d.line ?? '-'}:${d.severity}:${d.code}${d.key === undefined ? '' : `:${d.key}`}`)

/** No message may quote a value: every value in these documents contains the marker. */
const MARK = 'Zm9vYmFy'
function assertNoValueInMessages(doc: FormattedDocument | undefined): void {
  for (const d of doc?.diagnostics ?? []) assert.ok(!d.message.includes(MARK) && !d.message.includes('hunter'), d.message)
}

test('plain .env texts are not formatted documents', () => {
  for (const text of [
    '', '\n', '# only a comment\n', 'A=1\nB=2\n', 'SECRET_A=YQ==\n', 'KEY: value\nOTHER: x\n', 'kind: Secret\n',
    'extraEnv=1\n', 'extraEnv: not a list\n', 'common:\n  image: kestra\n', 'apiVersion: v1\nkind: ConfigMap\n',
    '- a\n- b\n', '"just a string"\n',
  ]) {
    const doc = read(text)
    if (text === 'extraEnv: not a list\n') {
      // A top-level extraEnv that is not a list is a broken chart 0.x values file, not a .env.
      assert.equal(doc?.format, 'helm-legacy')
      assert.deepEqual(codes(doc), ['1:error:format-invalid'])
      continue
    }
    assert.equal(doc, undefined, JSON.stringify(text))
  }
})

test('a chart 1.0 values file: common.extraEnv, quoted or not, aliases resolved, comments ignored', () => {
  const doc = read([
    '# secrets',
    'common:',
    '  image: {tag: latest}',
    '  extraEnv:',
    '    # db',
    `    - name: SECRET_A`,
    `      value: "${MARK}"`,
    `    - {name: SECRET_B, value: '${MARK}=='}`,
    '    - name: SECRET_C',
    `      value: &v ${MARK}`,
    '    - name: SECRET_D',
    '      value: *v',
    '    - name: SECRET_EMPTY',
    '      value: ""',
    '    - name: SECRET_NO_VALUE',
    'deployments:',
    '  webserver: {enabled: true}',
    '',
  ].join('\n'))
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(codes(doc), [])
  assert.deepEqual(pairs(doc), [
    ['SECRET_A', MARK, 6], ['SECRET_B', `${MARK}==`, 8], ['SECRET_C', MARK, 9], ['SECRET_D', MARK, 11],
    ['SECRET_EMPTY', '', 13], ['SECRET_NO_VALUE', '', 15],
  ])
})

test('a chart 0.x values file: top-level extraEnv', () => {
  const doc = read(`extraEnv:\n- name: SECRET_A\n  value: "${MARK}"\n`)
  assert.equal(doc?.format, 'helm-legacy')
  assert.deepEqual(pairs(doc), [['SECRET_A', MARK, 2]])
  assert.deepEqual(pairs(read('extraEnv: []\n')), [])
  assert.deepEqual(codes(read('extraEnv:\n')), [])
})

test('helm: values that Kubernetes would not take as text are errors; valueFrom is noted and left out', () => {
  const doc = read([
    'common:',
    '  extraEnv:',
    '    - name: SECRET_BOOL',
    '      value: yes', // a boolean to YAML 1.1, which Helm and kubectl speak
    '    - name: SECRET_NUM',
    '      value: 0777',
    '    - name: SECRET_MAP',
    `      value: {a: ${MARK}}`,
    '    - name: SECRET_REF',
    '      valueFrom: {secretKeyRef: {name: s, key: k}}',
    `    - ${MARK}`,
    `    - value: ${MARK}`,
    '    - name: SECRET_OK',
    `      value: "${MARK}"`,
    `extraEnv: [{name: SECRET_OLD, value: "${MARK}"}]`,
    '',
  ].join('\n'))
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(codes(doc), [
    '4:error:format-invalid:SECRET_BOOL',
    '6:error:format-invalid:SECRET_NUM',
    '8:error:format-invalid:SECRET_MAP',
    '9:note:defined-elsewhere:SECRET_REF',
    '11:error:format-invalid',
    '12:error:format-invalid',
    '15:warning:format-skipped',
  ])
  assert.deepEqual(pairs(doc), [['SECRET_OK', MARK, 13]])
  assert.deepEqual(doc.external, [{ variable: 'SECRET_REF', line: 9, from: 'secretKeyRef', list: 'common.extraEnv' }])
  assertNoValueInMessages(doc)
  assert.match(doc.diagnostics[0]?.message ?? '', /SECRET_BOOL is not a string \(a YAML boolean\)/)
})

test('a Secret: data decoded once, stringData as is and winning over data, kubectl\'s unquoted form', () => {
  const inner = Buffer.from(MARK).toString('base64')
  const doc = read([
    'apiVersion: v1',
    'data:',
    `  SECRET_A: ${inner}`,
    '  SECRET_EMPTY: ""',
    `  SECRET_OVER: ${inner}`,
    'kind: Secret',
    'metadata:',
    '  creationTimestamp: null',
    '  name: kestra-secrets',
    'stringData:',
    `  SECRET_OVER: "${MARK}=="`,
    `  SECRET_S: ${MARK}`,
    '',
  ].join('\n'))
  assert.equal(doc?.format, 'k8s-secret')
  // The data entry that stringData replaces with another value: a warning at its line.
  assert.deepEqual(codes(doc), ['5:warning:duplicate:SECRET_OVER'])
  assert.equal(doc.diagnostics[0]?.message, "SECRET_OVER is also in stringData (line 11), with a different value: Kubernetes " +
    "keeps stringData's, so the one in data is left out: remove one of them")
  assertNoValueInMessages(doc)
  assert.deepEqual(pairs(doc), [['SECRET_A', MARK, 3], ['SECRET_EMPTY', '', 4], ['SECRET_OVER', `${MARK}==`, 11], ['SECRET_S', MARK, 12]])
})

test('a Secret with a name in both data and stringData: with the same value a note; stringData first or last', () => {
  const same = (first: string, second: string): string => [
    'apiVersion: v1',
    'kind: Secret',
    `${first}:`,
    `  SECRET_A: ${first === 'data' ? Buffer.from(MARK).toString('base64') : `"${MARK}"`}`,
    `${second}:`,
    `  SECRET_A: ${second === 'data' ? Buffer.from(MARK).toString('base64') : `"${MARK}"`}`,
    '',
  ].join('\n')
  const dataFirst = read(same('data', 'stringData'))
  assert.deepEqual(codes(dataFirst), ['4:note:duplicate:SECRET_A'])
  assert.equal(dataFirst?.diagnostics[0]?.message, "SECRET_A is also in stringData (line 6), with the same value: Kubernetes " +
    "keeps stringData's, so the one in data is left out")
  assert.deepEqual(pairs(dataFirst), [['SECRET_A', MARK, 6]])
  const stringDataFirst = read(same('stringData', 'data'))
  assert.deepEqual(codes(stringDataFirst), ['6:note:duplicate:SECRET_A'])
  assert.match(stringDataFirst?.diagnostics[0]?.message ?? '', /^SECRET_A is also in stringData \(line 4\), with the same value/)
  assert.deepEqual(pairs(stringDataFirst), [['SECRET_A', MARK, 4]])
  // A data value Kubernetes refuses, or a stringData value that is not a string, has its own error only.
  const refused = read(`apiVersion: v1\nkind: Secret\ndata:\n  SECRET_A: not-base64\n  SECRET_B: ${Buffer.from(MARK).toString('base64')}\n` +
    'stringData:\n  SECRET_A: x\n  SECRET_B: 12\n')
  assert.deepEqual(codes(refused), ['4:error:format-invalid:SECRET_A', '8:error:format-invalid:SECRET_B'])
})

test('a Secret whose data Kubernetes would refuse, or that is not text', () => {
  const doc = read([
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: s}',
    'data:',
    `  SECRET_PLAIN: hunter2`, // not base64
    `  SECRET_UNPADDED: ${Buffer.from('ab').toString('base64').replace(/=+$/, '')}`,
    `  SECRET_BINARY: ${Buffer.from([0xff, 0xfe, 0x00]).toString('base64')}`,
    `  SECRET_WRAPPED: "${Buffer.from(MARK).toString('base64').slice(0, 4)}\\n${Buffer.from(MARK).toString('base64').slice(4)}"`,
    '',
  ].join('\n'))
  assert.deepEqual(codes(doc), [
    '5:error:format-invalid:SECRET_PLAIN', '6:error:format-invalid:SECRET_UNPADDED', '7:error:format-invalid:SECRET_BINARY',
  ])
  // Go's decoder skips line breaks in data, so Kubernetes reads a wrapped value whole.
  assert.deepEqual(pairs(doc), [['SECRET_WRAPPED', MARK, 8]])
  assertNoValueInMessages(doc)
})

test('a manifest of another kind, or a Secret of another apiVersion, is not recognised', () => {
  assert.equal(read('apiVersion: v1\nkind: ConfigMap\ndata: {A: b}\n'), undefined)
  assert.equal(read('apiVersion: v2\nkind: Secret\ndata: {A: YQ==}\n'), undefined)
})

test('YAML syntax errors are reported by line and code, never with the source text', () => {
  const doc = read(`common:\n  extraEnv:\n    - name: SECRET_A\n      value: "${MARK}"\n    - name: SECRET_A\n      name: "${MARK}"\n`)
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(codes(doc), ['6:error:format-syntax'])
  assertNoValueInMessages(doc)
  const two = read(`extraEnv: []\n---\nextraEnv: [{name: SECRET_X, value: "${MARK}"}]\n`)
  assert.deepEqual(codes(two), ['2:error:format-syntax'])
  assert.match(two?.diagnostics[0]?.message ?? '', /more than one YAML document/)
  const bad = read(`apiVersion: v1\nkind: Secret\ndata:\n  SECRET_A: "${MARK}\n  SECRET_B: x\n`)
  assert.equal(bad?.format, 'k8s-secret')
  assert.ok(bad.diagnostics.some((d) => d.code === 'format-syntax'))
  assertNoValueInMessages(bad)
})

test('YAML nested more than 100 levels deep is refused with its line, however often, whatever comes after', () => {
  // The yaml package pops closed levels recursively (a RangeError at about a thousand) and composes
  // recursively; the nesting is measured while parsing. Each file twice: no overflow leaves a trace.
  const blockMaps = (n: number, after: string): string =>
    'extraEnv:\n' + Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}b:`).join('\n') + '\n' + after
  const cases: [string, number, DocumentFormat][] = [
    [blockMaps(3000, 'other: 1\n'), 101, 'helm-legacy'],
    [`a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 2)}b:`).join('\n')}\nextraEnv: []\n`, 101, 'helm'],
    [`extraEnv: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 1, 'helm-legacy'],
    [`extraEnv:\n${'- '.repeat(3000)}x\n`, 2, 'helm-legacy'],
    [`apiVersion: v1\nkind: Secret\ndata:\n  A: "${MARK}"\n  z: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`, 5, 'k8s-secret'],
    [`{"extraEnv": ${'{"a": '.repeat(2000)}1${'}'.repeat(2000)}, x: 1}`, 1, 'helm-legacy'],
  ]
  for (const [text, line, format] of cases) {
    for (let i = 0; i < 2; i++) {
      const doc = read(text)
      assert.equal(doc?.format, format)
      assert.deepEqual(pairs(doc), [])
      assert.deepEqual(codes(doc), [`${line}:error:format-syntax`])
      assert.match(doc?.diagnostics[0]?.message ?? '', /^nested more than 100 levels deep, which no values file or Secret is/)
    }
  }
  // 90 levels are read, entries and all.
  const deepButFine = `extraEnv:\n  - name: SECRET_A\n    value: "${MARK}"\nother: ${'['.repeat(90)}${']'.repeat(90)}\n`
  assert.deepEqual(pairs(read(deepButFine)), [['SECRET_A', MARK, 2]])
  assert.deepEqual(codes(read(deepButFine)), [])
})

test('JSON: members in order with their lines, repeated names kept, non-strings reported', () => {
  const doc = read(`{\n  "SECRET_A": "${MARK}",\n  "SECRET_B": "x\\"y",\r\n  "SECRET_N": 12,\n  "SECRET_O": {"k": "${MARK}"},\n  "SECRET_A": "",\n  "SECRET_L": [1, 2], "SECRET_T": true, "SECRET_Z": null,\n  "SECRET_U": "\\u00e9"\n}\n`)
  assert.equal(doc?.format, 'json')
  assert.deepEqual(pairs(doc), [['SECRET_A', MARK, 2], ['SECRET_B', 'x"y', 3], ['SECRET_A', '', 6], ['SECRET_U', 'é', 8]])
  assert.deepEqual(codes(doc), [
    '4:error:format-invalid:SECRET_N', '5:error:format-invalid:SECRET_O', '7:error:format-invalid:SECRET_L',
    '7:error:format-invalid:SECRET_T', '7:error:format-invalid:SECRET_Z',
  ])
  assertNoValueInMessages(doc)
  assert.deepEqual(pairs(read('\ufeff{}')), [])
  assert.deepEqual(pairs(read('{"SECRET_A":"YQ=="}')), [['SECRET_A', 'YQ==', 1]])
})

test('text that starts with { but is not JSON: a flow-style values file, or a JSON error', () => {
  const flow = read(`{common: {extraEnv: [{name: SECRET_A, value: "${MARK}"}]}}\n`)
  assert.equal(flow?.format, 'helm')
  assert.deepEqual(pairs(flow), [['SECRET_A', MARK, 1]])
  const broken = read(`{\n  "SECRET_A": "${MARK}",\n  "SECRET_B": ${MARK}\n}\n`)
  assert.equal(broken?.format, 'json')
  assert.deepEqual(broken.entries, [])
  assert.equal(broken.diagnostics[0]?.code, 'format-syntax')
  assertNoValueInMessages(broken)
})

test('CRLF and a byte-order mark are read like LF', () => {
  const doc = read(`\ufeffextraEnv:\r\n  - name: SECRET_A\r\n    value: "${MARK}"\r\n`)
  assert.deepEqual(pairs(doc), [['SECRET_A', MARK, 2]])
})

test('mightBeFormatted is false only for texts readFormatted does not recognise', () => {
  for (const text of ['A=1\n', '# x\nB=2\n', 'KEY: value\n', '']) {
    assert.equal(mightBeFormatted(text), false, text)
    assert.equal(read(text), undefined)
  }
  for (const text of ['{}', ' \ufeff{"A": "b"}', 'extraEnv: []\n', 'apiVersion: v1\nkind: Secret\n', '# Secrets\nA=1\n']) {
    assert.equal(mightBeFormatted(text), true, text)
  }
  // Without the yaml library only JSON is recognised, and mightBeJson is the test that then holds.
  for (const text of ['{}', '\ufeff{"A": "b"}', '\n {extraEnv: []}', '{"A": 1', 'extraEnv: []\n', '# {\n', 'A={}\n', '']) {
    const json = readFormatted(text) !== undefined
    assert.equal(mightBeJson(text), json, text)
    if (json) assert.equal(mightBeFormatted(text), true, text)
  }
})

test('with { comments: true }, the YAML comments around each entry, and the document\'s own', () => {
  const text = [
    '# top of the file',
    '',
    'image: {tag: latest}',
    'common:',
    '  extraEnv:',
    '    # db',
    '    #',
    `    - name: SECRET_A # on the name`,
    `      value: "${MARK}" # on the value`,
    '',
    '    # left out, so its comment goes to the next entry',
    '    - name: SECRET_REF',
    '      valueFrom: {}',
    `    - {name: SECRET_B, value: "${MARK}"}`,
    '    # after the last entry',
    '# end of the file',
    '',
  ].join('\n')
  const doc = readFormatted(text, yaml, { comments: true })
  assert.equal(doc?.commentBefore, ' top of the file')
  assert.deepEqual(doc.entries.map((e) => [e.variable, e.commentBefore, e.spaceBefore, e.comment]), [
    ['SECRET_A', ' db\n ', undefined, ' on the name\n on the value'],
    ['SECRET_B', ' left out, so its comment goes to the next entry', true, undefined],
  ])
  assert.equal(doc.comment, ' after the last entry\n end of the file')
  // Without the option, the entries are as before.
  assert.deepEqual(read(text)?.entries[0], { variable: 'SECRET_A', encoded: MARK, line: 8, list: 'common.extraEnv' })
  assert.equal(read(text)?.commentBefore, undefined)
})

test('a Secret\'s entries carry their field and, with comments, the comments of data and stringData', () => {
  const doc = readFormatted([
    'apiVersion: v1',
    'kind: Secret',
    '# text',
    'stringData:',
    `  SECRET_S: ${MARK} # s`,
    '  # end of stringData',
    'data:',
    '  # data',
    `  SECRET_D: ${Buffer.from(MARK).toString('base64')}`,
    '',
  ].join('\n'), yaml, { comments: true })
  assert.deepEqual(doc?.entries.map((e) => [e.variable, e.field, e.line, e.commentBefore, e.comment]), [
    ['SECRET_S', 'stringData', 5, ' text', ' s\n end of stringData'],
    ['SECRET_D', 'data', 9, ' data', undefined],
  ])
})

test('without the yaml module only JSON is recognised', () => {
  assert.deepEqual(readFormatted('{"SECRET_A": "YQ=="}')?.entries, [{ variable: 'SECRET_A', encoded: 'YQ==', line: 1 }])
  assert.equal(readFormatted(`extraEnv:\n  - name: SECRET_A\n    value: "${MARK}"\n`), undefined)
  assert.equal(readFormatted('{extraEnv: []}')?.diagnostics[0]?.code, 'format-syntax')
})

test('a JSON syntax error has its line, whatever JSON.parse says about it', () => {
  for (const [text, line] of [
    [`{\n  "SECRET_A": "${MARK}",\n  "SECRET_B": ${MARK}\n}\n`, 3],
    [`{\n  "SECRET_A": "${MARK}"\n  "SECRET_B": "x"\n}\n`, 3],
    [`{\n  "SECRET_A": "${MARK}",\n}\n`, 3],
    [`{\n  "SECRET_A": "${MARK}\n`, 2],
    [`{\n  "SECRET_A": "\\x"\n}`, 2],
    [`{\n  "SECRET_A": 01\n}`, 2],
    ['{\n\n', 3],
  ] as const) {
    const doc = read(text)
    assert.deepEqual(codes(doc), [`${line}:error:format-syntax`], JSON.stringify(text))
    assertNoValueInMessages(doc)
  }
})

// The yaml library's own check took about 40 s here (each key against all before it): within the
// runner's timeout means linear (speed itself is measured by npm run bench, never asserted here).
test('repeated keys are found in one pass: a Secret of 50,000 keys', { timeout: 60_000 }, () => {
  const lines = ['apiVersion: v1', 'kind: Secret', 'data:']
  for (let i = 0; i < 50_000; i++) lines.push(`  SECRET_K${i}: ${Buffer.from(`K${i}`).toString('base64')}`)
  lines.push('  SECRET_K7: eA==')
  const doc = read(lines.join('\n'))
  assert.equal(doc?.entries.length, 50_001)
  assert.deepEqual(codes(doc), ['50004:error:format-syntax'])
  // A repeated key anywhere in the document, as YAML forbids, but `<<` merge keys and 1 and '1'.
  assert.deepEqual(codes(read("extraEnv: []\nimage: {tag: a, tag: b}\nx: {1: a, '1': b}\n")), ['2:error:format-syntax'])
})

test('helm template output: empty documents (a template that renders nothing) and a last --- are passed over', () => {
  const data = Buffer.from('YWJj').toString('base64')
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  # c\n  SECRET_A: ${data}\n`
  for (const text of [
    `---\n# Source: c/templates/empty.yaml\n---\n# Source: c/templates/secret.yaml\n${secret}`,
    `${secret}---\n`,
    `---\n${secret}---\n# nothing\n---\n`,
  ]) {
    const doc = read(text)
    assert.equal(doc?.format, 'k8s-secret', text)
    // data decoded once, as Kubernetes does: Kestra receives YWJj.
    assert.deepEqual(doc?.entries.map((e) => [e.variable, e.encoded]), [['SECRET_A', 'YWJj']], text)
    assert.deepEqual(codes(doc), [], text)
  }
  // Two documents that hold something are still one too many.
  assert.match(read(`${secret}---\n${secret}`)?.diagnostics[0]?.message ?? '', /more than one YAML document/)
})

test('a Secret with lone CR line ends is read as YAML and kubectl read it, not as a .env', () => {
  const doc = read('apiVersion: v1\rkind: Secret\rmetadata:\r  name: x\rdata:\r  # c\r  SECRET_A: WVdKag==\r')
  assert.equal(doc?.format, 'k8s-secret')
  assert.deepEqual(pairs(doc), [['SECRET_A', 'YWJj', 7]])
})

test('a key with nothing after its colon is an error; its name is shown only when it has the prefix', () => {
  const secret = read(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  SECRET_KEY:\n  hunter2secret:\n  SECRET_B: "${MARK}"\n  SECRET_C: ""\n`)
  assert.deepEqual(codes(secret), ['6:error:format-invalid:SECRET_KEY', '7:error:format-invalid'])
  assert.match(secret?.diagnostics[0]?.message ?? '', /SECRET_KEY in stringData has no value/)
  assert.doesNotMatch(JSON.stringify(secret?.diagnostics), /hunter2/)
  assert.deepEqual(secret?.entries.map((e) => e.variable), ['SECRET_B', 'SECRET_C'])
  const values = read(`common:\n  extraEnv:\n    - name: SECRET_A\n      value:\n    - name: SECRET_B\n      value: ~\n    - name: SECRET_C\n    - name: SECRET_D\n      value: ""\n`)
  assert.deepEqual(codes(values), ['4:error:format-invalid:SECRET_A', '6:error:format-invalid:SECRET_B'])
  // No value key at all is Kubernetes' empty variable, and "" an empty value: both read.
  assert.deepEqual(pairs(values), [['SECRET_C', '', 7], ['SECRET_D', '', 8]])
})

test('an extraEnv item with a key an EnvVar does not have: an error without a value, a warning beside one', () => {
  const doc = read([
    'common:', '  extraEnv:',
    '    - name: SECRET_A', `      vaule: "${MARK}"`,
    '    - name: SECRET_B', `      Value: "${MARK}"`,
    '    - name: SECRET_C', `      value: "${MARK}"`, '      note: kept for later',
    '    - name: SECRET_D', '      value:', '      hunter2secret:',
    '',
  ].join('\n'))
  assert.deepEqual(codes(doc), [
    '4:error:format-invalid:SECRET_A', '6:error:format-invalid:SECRET_B', '9:warning:format-invalid:SECRET_C',
    '12:warning:format-invalid:SECRET_D', '11:error:format-invalid:SECRET_D',
  ])
  // A key is named only when it is one of name, value and valueFrom in another case.
  assert.match(doc?.diagnostics[1]?.message ?? '', /has the key Value, which Kubernetes does not know .*: write value$/)
  assert.doesNotMatch(JSON.stringify(doc?.diagnostics), /vaule|note|hunter2/)
  assertNoValueInMessages(doc)
  assert.deepEqual(doc?.entries.map((e) => e.variable), ['SECRET_C'])
})

test('a Secret: a field misspelt in case loses its entries (an error); another key is a warning', () => {
  const doc = read(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringdata:\n  SECRET_A: "${MARK}"\nx-anchors: &a {k: v}\ndata:\n  SECRET_B: WVdKag==\n`)
  assert.deepEqual(codes(doc), ['5:error:format-invalid', '7:warning:format-invalid'])
  assert.match(doc?.diagnostics[0]?.message ?? '', /^stringdata is not a field of a Secret .*: write stringData$/)
  assert.doesNotMatch(doc?.diagnostics[1]?.message ?? '', /x-anchors/)
  assert.deepEqual(pairs(doc), [['SECRET_B', 'YWJj', 9]])
})

test('numbers as go-yaml v2 reads them (Helm, kubectl): 0o, 0x and 0b prefixes, underscores, and tags', () => {
  const items = ['0o17', '0O17', '0X1F', '0x1f', '0b101', '-0o7', '0_x1F', '!!int "0o17"', '!!float "1"', '"0o17"', "'0x1F'", '!!str 0o17', '!foo 0o17', '0o18', 'o17', '0x']
  const doc = read(['common:', '  extraEnv:', ...items.map((v, i) => `    - {name: SECRET_${i}, value: ${v}}`), ''].join('\n'))
  const rejected = (doc?.diagnostics ?? []).map((d) => items[Number(d.key?.slice('SECRET_'.length))])
  assert.deepEqual(rejected, ['0o17', '0O17', '0X1F', '0x1f', '0b101', '-0o7', '0_x1F', '!!int "0o17"', '!!float "1"'])
  assert.match(doc?.diagnostics[0]?.message ?? '', /is not a string \(a number to Helm and kubectl\), which Kubernetes rejects: quote it/)
  assert.match(doc?.diagnostics[7]?.message ?? '', /\(tagged !!int\)/)
  assert.deepEqual(doc?.entries.map((e) => e.encoded), ['0o17', '0x1F', '0o17', '0o17', '0o18', 'o17', '0x'])
})

test('a wide mapping named by many aliases is searched through an index: the first of a repeated key wins', () => {
  const wide = Array.from({ length: 40 }, (_, i) => `k${i}: v`).join(', ')
  const doc = read(`x: &m {name: SECRET_A, value: "${MARK}", ${wide}, name: SECRET_B}\ncommon:\n  extraEnv:\n${'    - *m\n'.repeat(3)}`)
  // The repeated name is an error of its own; the first one is read, in each of the three places.
  assert.ok(codes(doc).includes('1:error:format-syntax'))
  assert.deepEqual(doc?.entries.map((e) => e.variable), ['SECRET_A', 'SECRET_A', 'SECRET_A'])
  assert.equal(doc?.diagnostics.filter((d) => d.severity === 'warning').length, 3)
})

test('a Secret the API server rejects: a bad name, a key over 253 characters, over 1 MiB; another type is a warning', () => {
  const head = (name: string, type = 'Opaque'): string => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: ${type}\n`
  assert.deepEqual(codes(read(`${head('kestra-secrets')}data:\n  SECRET_A: WVdKag==\n`)), [])
  assert.deepEqual(codes(read(`${head('My_Secret')}data:\n  SECRET_A: WVdKag==\n`)), ['4:error:format-invalid'])
  assert.deepEqual(codes(read(`${head('s', 'kubernetes.io/tls')}data:\n  SECRET_A: WVdKag==\n`)), ['5:warning:format-invalid'])
  assert.match(read(`${head('s', 'kubernetes.io/tls')}data: {}\n`)?.diagnostics[0]?.message ?? '', /^a Secret of type kubernetes\.io\/tls, /)
  assert.match(read(`${head('s', MARK)}data: {}\n`)?.diagnostics[0]?.message ?? '', /^a Secret of a type other than Opaque, /)
  const long = `SECRET_${'A'.repeat(250)}`
  assert.deepEqual(codes(read(`${head('s')}stringData:\n  ${long}: x\n`)), [`7:error:secret-limit:${long.slice(0, 128)}…`])
  const big = read(`${head('s')}stringData:\n  SECRET_A: "${'x'.repeat(700_000)}"\n  SECRET_B: "${'y'.repeat(400_000)}"\n`)
  assert.deepEqual(codes(big), ['-:error:secret-limit'])
  assert.match(big?.diagnostics[0]?.message ?? '', /holds 1100000 bytes of data, more than the 1 MiB Kubernetes allows/)
})

test('a Secret manifest or a values file written in JSON is read as kubectl and Helm read it, as YAML', () => {
  const b = (s: string): string => Buffer.from(s).toString('base64')
  const secret = read(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { SECRET_A: b(b('abc')) } }, null, 2))
  assert.equal(secret?.format, 'k8s-secret')
  assert.deepEqual(pairs(secret), [['SECRET_A', b('abc'), 8]])
  const values = read(JSON.stringify({ common: { extraEnv: [{ name: 'SECRET_A', value: b('abc') }] } }, null, 2))
  assert.equal(values?.format, 'helm')
  assert.deepEqual(pairs(values), [['SECRET_A', b('abc'), 5]])
  // The object encode --format json writes is still that format, names and their strings.
  assert.equal(read(JSON.stringify({ SECRET_A: b('abc'), common: 'a name like any other' }))?.format, 'json')
  // Too deep to tell, after a {: named JSON, not a values file.
  assert.equal(read(`{"SECRET_A": ${'['.repeat(500)}\n`)?.format, 'json')
})

test('!!binary: Helm and kubectl decode it, so it is not the text Kestra gets', () => {
  const doc = read('apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  SECRET_A: !!binary YWJj\n')
  assert.deepEqual(codes(doc), ['6:error:format-invalid:SECRET_A'])
  assert.match(doc?.diagnostics[0]?.message ?? '', /is tagged !!binary, which Helm and kubectl decode to its bytes/)
})
