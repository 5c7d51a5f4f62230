// Every .env under test/fixtures/formats/ in every --format: the output is the golden file beside it
// (`<case>.<format>.yaml` or `<case>.json`), parses cleanly, gives back exactly the encoded values
// in order, keeps the comments, and is read back by readFormatted.
//
// Run with UPDATE_FIXTURES=1 to rewrite the golden files, then read the diff before keeping it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeEnv, renderEnv } from '../../../src/core/encode.js'
import { FORMATS, renderFormat, type Format } from '../../../src/core/formats/index.js'
import { readFormatted } from '../../../src/core/formats/read.js'
import { readKubectlEnvFile } from '../../../src/core/formats/kubectl.js'
import { assertValuesQuoted, expectedPairs, formatsFixturesDir, readBack, yaml } from './helpers.js'

const dir = formatsFixturesDir()
const cases = readdirSync(dir).filter((f) => f.endsWith('.env')).sort()
const written = FORMATS.filter((f): f is Exclude<Format, 'env'> => f !== 'env')
const goldenName = (file: string, format: Format): string =>
  file.replace(/\.env$/, format === 'json' ? '.json' : `.${format}.yaml`)

test('there are format fixtures', () => {
  assert.ok(cases.length >= 6, cases.join(', '))
})

for (const file of cases) {
  const source = readFileSync(join(dir, file), 'utf8')
  const result = encodeEnv(source)

  for (const format of written) {
    test(`${file} as ${format}`, () => {
      assert.ok(result.ok, `${file} encodes`)
      const text = renderFormat(format, result.items, { eol: result.eol, yaml })
      const golden = join(dir, goldenName(file, format))
      if (process.env.UPDATE_FIXTURES) writeFileSync(golden, text)
      assert.equal(text, readFileSync(golden, 'utf8'), `${goldenName(file, format)} is what we write`)

      assert.deepEqual(readBack(format, text), expectedPairs(result.entries))
      assertValuesQuoted(format, text)
      const eols = text.match(/\r?\n/g) ?? []
      assert.ok(eols.length > 0 && eols.every((e) => e === result.eol), 'the input\'s line ending throughout')

      const back = readFormatted(text, yaml)
      assert.ok(back, 'readFormatted recognises it')
      assert.equal(back.format, format === 'helm-legacy' ? 'helm-legacy' : format)
      assert.deepEqual(back.diagnostics, [])
      assert.deepEqual(back.entries.map((e) => [e.variable, e.encoded]), expectedPairs(result.entries))
    })
  }

  test(`${file}: comments in the YAML formats, in order, above their entries`, () => {
    const comments = result.items.filter((i) => i.kind === 'comment').length
    for (const format of ['helm', 'helm-legacy', 'k8s-secret'] as const) {
      const text = renderFormat(format, result.items, { yaml })
      // Each input comment gives at least one YAML comment line; each line of ours is a comment,
      // a blank line or part of the document.
      const yamlComments = text.split('\n').filter((l) => /^\s*#/.test(l))
      assert.ok(yamlComments.length >= comments, `${format}: ${yamlComments.length} comment lines for ${comments} comments`)
      // The document without its comments is the same document.
      const bare = yaml.parseDocument(text)
      assert.deepEqual(bare.toJS(), yaml.parse(text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')))
    }
  })

  test(`${file}: the Secret's data is what kubectl makes of the env output (model)`, () => {
    assert.ok(result.ok)
    const kubectl = readKubectlEnvFile(renderEnv(result.items, result.eol))
    assert.equal(kubectl.error, undefined)
    assert.equal(kubectl.truncatedAt, undefined)
    const secret = readBack('k8s-secret', renderFormat('k8s-secret', result.items, { yaml }))
    assert.deepEqual(kubectl.entries.map((e) => [e.name, e.value]), secret)
  })
}

// The goldens were written by the code under test; these spell out the important ones by hand.
test('basic.env, written out by hand', () => {
  const source = readFileSync(join(dir, 'basic.env'), 'utf8')
  const { items } = encodeEnv(source)
  assert.equal(renderFormat('helm', items, { yaml }), [
    'common:',
    '  extraEnv:',
    '    # Database',
    '    - name: SECRET_POSTGRES_PASSWORD',
    '      value: "czNjcjN0IHdpdGggc3BhY2Vz"',
    '    # the role the flows log in as',
    '    - name: SECRET_POSTGRES_USER',
    '      value: "a2VzdHJh"',
    '',
  ].join('\n'))
  assert.equal(renderFormat('helm-legacy', items, { yaml }), [
    'extraEnv:',
    '  # Database',
    '  - name: SECRET_POSTGRES_PASSWORD',
    '    value: "czNjcjN0IHdpdGggc3BhY2Vz"',
    '  # the role the flows log in as',
    '  - name: SECRET_POSTGRES_USER',
    '    value: "a2VzdHJh"',
    '',
  ].join('\n'))
  assert.equal(renderFormat('k8s-secret', items, { yaml, name: 'kestra-prod', namespace: 'kestra' }), [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: "kestra-prod"',
    '  namespace: "kestra"',
    'type: Opaque',
    'data:',
    '  # Database',
    // base64('czNjcjN0IHdpdGggc3BhY2Vz'), i.e. base64(base64('s3cr3t with spaces'))
    '  SECRET_POSTGRES_PASSWORD: "Y3pOamNqTjBJSGRwZEdnZ2MzQmhZMlZ6"',
    '  # the role the flows log in as',
    '  SECRET_POSTGRES_USER: "YTJWemRISmg="',
    '',
  ].join('\n'))
  assert.equal(renderFormat('json', items),
    '{\n  "SECRET_POSTGRES_PASSWORD": "czNjcjN0IHdpdGggc3BhY2Vz",\n  "SECRET_POSTGRES_USER": "a2VzdHJh"\n}\n')
})

test('long values are never folded, multi-line and non-ASCII values come back exactly', () => {
  const { items, entries } = encodeEnv(readFileSync(join(dir, 'values.env'), 'utf8'))
  for (const format of ['helm', 'k8s-secret'] as const) {
    const text = renderFormat(format, items, { yaml })
    for (const line of text.split('\n')) assert.ok(!line.endsWith('\\'), 'no escaped line break')
    assert.deepEqual(readBack(format, text), expectedPairs(entries))
  }
})
