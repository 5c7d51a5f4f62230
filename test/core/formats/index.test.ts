// The pure pieces of the formats on inline inputs: comment layout, names, limits, the dispatcher,
// and the library exports.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeEnv, type OutputItem } from '../../../src/core/encode.js'
import { commentLines, layoutComments } from '../../../src/core/formats/comments.js'
import { FORMATS, ignoreLines, isFormat, isYamlFormat, outputName, renderFormat } from '../../../src/core/formats/index.js'
import { isDnsLabel, isDnsSubdomain, mountValues, renderK8sSecret } from '../../../src/core/formats/k8s-secret.js'
import { checkLimits } from '../../../src/core/formats/limits.js'
import { renderJson } from '../../../src/core/formats/json.js'
import * as library from '../../../src/index.js'
import { yaml } from './helpers.js'

const items = (source: string): OutputItem[] => {
  const r = encodeEnv(source)
  assert.ok(r.ok)
  return r.items
}

test('comment lines: the text after #, a bare # as one space, breaks split, unprintables replaced', () => {
  assert.deepEqual(commentLines('# text'), [' text'])
  assert.deepEqual(commentLines('#text'), ['text'])
  assert.deepEqual(commentLines('  #  indented'), ['  indented'])
  assert.deepEqual(commentLines('#'), [' '])
  assert.deepEqual(commentLines('## double'), ['# double'])
  assert.deepEqual(commentLines('# a\u2028b\u0085c\u2029d\re'), [' a', 'b', 'c', 'd', 'e'])
  assert.deepEqual(commentLines('# \x01\x1b\x7f\x9b\ufeff\ufffe ok\t'), [' \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd ok'])
  assert.deepEqual(commentLines('# \u0085'), [' '])
  assert.deepEqual(commentLines('# é 😀 中文 \u00a0x'), [' é 😀 中文 \u00a0x'])
})

test('comment layout: each run of comments and blanks goes to the entry after it', () => {
  const layout = layoutComments(items('\n\n# head\n\n# a\nA=1\n\n\nB=2\n# c1\n#\n# c2\nC=3 # inline\n\n# tail\n\n'))
  assert.equal(layout.header, undefined)
  assert.deepEqual(layout.placed.map((p) => [p.entry.name, p.comment, p.spaceBefore]), [
    ['A', ' head\n\n a', false], // no blank line before the first item of a list
    ['B', undefined, true],
    ['C', ' c1\n \n c2\n inline', false],
  ])
  assert.equal(layout.trailer, '\n tail')
  const none = layoutComments(items('# only\n\n# comments\n\n'))
  assert.deepEqual([none.header, none.placed, none.trailer], [' only\n\n comments', [], undefined])
  assert.deepEqual(layoutComments([]), { header: undefined, placed: [], trailer: undefined })
})

test('Secret names and namespaces follow Kubernetes (DNS-1123 subdomain and label)', () => {
  for (const ok of ['kestra-secrets', 'a', '0', 'a.b', 'a-b.c-d', 'yes', '123', 'a'.repeat(253)]) assert.ok(isDnsSubdomain(ok), ok)
  for (const bad of ['', 'A', 'a_b', '-a', 'a-', 'a..b', '.a', 'a.', 'a b', 'é', 'a'.repeat(254), 'a.-b']) {
    assert.ok(!isDnsSubdomain(bad), bad)
  }
  for (const ok of ['kestra', 'a-1', 'a'.repeat(63)]) assert.ok(isDnsLabel(ok), ok)
  for (const bad of ['a.b', 'A', '-a', 'a'.repeat(64), '']) assert.ok(!isDnsLabel(bad), bad)
  assert.throws(() => renderK8sSecret([], yaml, { name: 'Bad' }), RangeError)
  assert.throws(() => renderK8sSecret([], yaml, { namespace: 'a.b' }), RangeError)
})

test('the mount values for both charts, as YAML', () => {
  const { chart1, chart0 } = mountValues(yaml, 'yes')
  assert.deepEqual(yaml.parse(chart1, { version: '1.1' }), { common: { extraEnvFrom: [{ secretRef: { name: 'yes' } }] } })
  assert.deepEqual(yaml.parse(chart0, { version: '1.1' }), { extraSecretEnvFrom: [{ name: 'yes' }] })
})

test('JSON keeps the input order and escapes what JSON must', () => {
  const text = renderJson(items('Z=1\nA=2\nB.c-d=3\n'))
  assert.deepEqual(Object.keys(JSON.parse(text) as object), ['SECRET_Z', 'SECRET_A', 'SECRET_B.c-d'])
  assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + '\n')
  assert.equal(renderJson([]), '{}\n')
  assert.equal(renderJson([], '\r\n'), '{}\r\n')
})

test('renderFormat: env as encodeEnv writes it, YAML formats need the yaml module', () => {
  const r = encodeEnv('# c\r\nA=1\r\n')
  assert.equal(renderFormat('env', r.items, { eol: r.eol }), r.text)
  assert.throws(() => renderFormat('helm', r.items), /needs the yaml module/)
  // What the types rule out, from a caller without them: an error, not undefined or a lone CR.
  assert.throws(() => renderFormat('yaml' as 'env', r.items, { yaml }), { name: 'TypeError', message: /^"yaml" is no format: give one of env, helm/ })
  for (const eol of ['\r', '', 'x']) {
    assert.throws(() => renderFormat('env', r.items, { eol: eol as '\n' }), { name: 'TypeError', message: /^eol is ".*": give '\\n' or '\\r\\n'$/ })
  }
  assert.deepEqual([...FORMATS], ['env', 'helm', 'helm-legacy', 'k8s-secret', 'json'])
  assert.deepEqual(FORMATS.filter(isYamlFormat), ['helm', 'helm-legacy', 'k8s-secret'])
  assert.ok(isFormat('json') && !isFormat('yaml') && !isFormat('toString'))
  assert.deepEqual(FORMATS.map((f) => outputName('.env', f)),
    ['.env_encoded', 'values.secrets.yaml', 'values.secrets.yaml', 'secret.yaml', '.env_encoded.json'])
  // Any other input: its own names, so that two inputs in one folder never share an output.
  assert.deepEqual(FORMATS.map((f) => outputName('prod.env', f)),
    ['prod.env_encoded', 'prod.env_encoded.values.yaml', 'prod.env_encoded.values.yaml', 'prod.env_encoded.secret.yaml', 'prod.env_encoded.json'])
  assert.deepEqual(FORMATS.map((f) => outputName('.env.staging', f)).filter((n) => !n.startsWith('.env.staging_encoded')), [])
  // The .gitignore lines cover every name written for the input, and no other input's.
  const covered = (input: string, name: string): boolean => ignoreLines(input).some((l) =>
    new RegExp(`^${l.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(name))
  for (const input of ['.env', 'prod.env', '.env.staging']) {
    for (const f of FORMATS) assert.ok(covered(input, outputName(input, f)), `${input} ${f}`)
  }
  assert.equal(covered('prod.env', outputName('.env', 'env')), false)
})

test('limits: a Secret key over 253 characters, a Secret over 1 MiB; other formats have none', () => {
  const long = encodeEnv(`${'K'.repeat(246)}=1\n${'L'.repeat(247)}=2\n`).entries
  assert.deepEqual(checkLimits('k8s-secret', long).map((d) => [d.code, d.line, d.key]), [['secret-limit', 2, 'L'.repeat(247)]])
  assert.deepEqual(checkLimits('helm', long), [])
  const big = encodeEnv(`A=${'x'.repeat(786_432)}\n`).entries // exactly 1 MiB of base64
  assert.deepEqual(checkLimits('k8s-secret', big), [])
  const bigger = encodeEnv(`A=${'x'.repeat(786_435)}\n`).entries
  assert.equal(checkLimits('k8s-secret', bigger)[0]?.code, 'secret-limit')
})

test('the library exports the formats API, and no internals', () => {
  const source = '# c\nA=1\n'
  const r = library.encodeEnv(source)
  assert.equal(library.renderFormat('json', r.items), '{\n  "SECRET_A": "MQ=="\n}\n')
  const helm = library.renderFormat('helm', r.items, { yaml })
  assert.deepEqual(library.readFormatted(helm, yaml)?.entries, [{ variable: 'SECRET_A', encoded: 'MQ==', line: 4, list: 'common.extraEnv' }])
  assert.equal(library.readFormatted(library.renderFormat('env', r.items), yaml), undefined)
  assert.deepEqual(Object.keys(library).sort(), ['FORMATS', 'checkEncoded', 'decodeEnv', 'decodeKestraValue', 'encodeEnv',
    'findSecretReferences', 'readFormatted', 'renderFormat'])
})
