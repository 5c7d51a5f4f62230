// check of the formats of `encode --format`: a values file, a Secret manifest or JSON goes through
// the same per-value and per-name rules as an encoded .env (the rules of the form of a .env line
// do not apply), with --against and --flows; findings carry the document's lines, never a value.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkEncoded, type CheckResult } from '../../src/core/check.js'
import { decodeEnv } from '../../src/core/decode.js'
import { encodeEnv } from '../../src/core/encode.js'
import { renderFormat } from '../../src/core/formats/index.js'
import { readFormatted } from '../../src/core/formats/read.js'
import { ROOT, runCli, runInProcess, withTempDirAsync } from '../helpers.js'
import { formatsFixturesDir, yaml } from './formats/helpers.js'

const FX = formatsFixturesDir()
const ENCODED = join(ROOT, 'test', 'fixtures', 'encoded')
const FLOWS = join(ROOT, 'test', 'fixtures', 'flows')
const FORMATS = [['helm', '.yaml'], ['helm-legacy', '.yaml'], ['k8s-secret', '.yaml'], ['json', '']] as const
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64')
const found = (r: CheckResult): (string | number | null)[][] =>
  r.findings.map((f) => [f.file, f.line ?? null, f.key ?? null, f.code, f.severity])
const check = (text: string, name = 'doc'): CheckResult => checkEncoded(text, { name, yaml })

test('every format of every fixture is ready for Kestra', () => {
  for (const name of ['basic', 'bom-comment', 'crlf', 'no-entries', 'odd-comments', 'sections', 'values']) {
    const entries = encodeEnv(readFileSync(join(FX, `${name}.env`), 'utf8')).entries
    for (const [format, ext] of FORMATS) {
      const r = check(readFileSync(join(FX, `${name}.${format}${ext}`), 'utf8'))
      assert.equal(r.format, format)
      // A document with no secret is not ready for Kestra, whatever its format.
      assert.equal(r.ok, entries.length > 0, `${name}.${format}: ${JSON.stringify(r.findings)}`)
      assert.deepEqual(r.secrets.map((s) => s.variable), entries.map((e) => e.variable), `${name}.${format}`)
      // The value of sections' DB_PASSWORD holds " # ", which check notes as it does in a .env.
      const expected = name === 'no-entries' ? ['no-secrets'] : name === 'sections' ? ['decoded-comment'] : []
      assert.deepEqual(r.findings.map((f) => f.code), expected, `${name}.${format}`)
    }
  }
})

test('a broken values file: the per-value and per-name rules of a .env, at the document\'s lines', () => {
  const r = check(readFileSync(join(ENCODED, 'problems.helm.yaml'), 'utf8'), 'v')
  assert.equal(r.ok, false)
  assert.equal(r.format, 'helm')
  assert.deepEqual(found(r), [
    ['v', 9, 'SECRET_PLAIN', 'invalid-base64', 'error'],
    ['v', 12, 'SECRET_URLSAFE', 'invalid-base64', 'error'],
    ['v', 15, 'SECRET_GOOD', 'duplicate', 'error'],
    ['v', 18, 'SECRET_good', 'case-collision', 'error'],
    ['v', 20, 'secret_lower', 'prefix-case', 'error'],
    ['v', 23, 'SECRET_MACRO', 'template', 'error'],
    ['v', 26, 'SECRET_ECHO', 'trailing-newline', 'error'],
    ['v', 30, 'SECRET_BOOL', 'format-invalid', 'error'],
    ['v', 38, 'JAVA_OPTS', 'not-prefixed', 'note'],
    ['v', 40, 'SECRET_FROM_SECRET', 'defined-elsewhere', 'note'],
  ])
  assert.match(r.findings[2]?.message ?? '', /already defined on line 6: Kubernetes keeps the last: remove one$/)
  assert.match(r.findings[5]?.message ?? '', /nothing renders in a values file/)
  // The PEM on several lines is fine there (Kestra removes the line breaks), and so is `.` or `-`
  // in a name, which Kubernetes takes.
  assert.ok(r.secrets.some((s) => s.variable === 'SECRET_PEM'))
  const dotted = check(`extraEnv:\n  - name: SECRET_A.B-C\n    value: "${b64('x')}"\n`)
  assert.deepEqual(found(dotted), [])
})

test('the form rules of a .env line do not apply to a document; what is in the value still counts', () => {
  // In a .env these would be quoted-value, inline-comment and export-prefix errors: here quotes and
  // comments are YAML's, and the text in the value is what Kestra receives.
  const r = check([
    'extraEnv:',
    `  - name: SECRET_QUOTED`,
    `    value: "${b64('a')}" # a comment`,
    `  - {name: SECRET_SINGLE, value: '${b64('b')}'}`,
    `  - name: SECRET_QUOTES_INSIDE`,
    `    value: '"${b64('c')}"'`,
    `  - name: SECRET_SPACE_AFTER`,
    `    value: "${b64('d')} "`,
    '',
  ].join('\n'))
  assert.deepEqual(found(r), [
    ['doc', 5, 'SECRET_QUOTES_INSIDE', 'invalid-base64', 'error'],
    ['doc', 7, 'SECRET_SPACE_AFTER', 'invalid-base64', 'error'],
  ])
})

test('a Secret whose data is encoded once only fails, and says why', () => {
  const r = check(readFileSync(join(ENCODED, 'once.k8s-secret.yaml'), 'utf8'), 's')
  assert.equal(r.format, 'k8s-secret')
  assert.deepEqual(found(r), [
    ['s', 8, 'SECRET_USERNAME', 'invalid-base64', 'error'],
    ['s', 9, 'SECRET_PASSWORD', 'not-utf8', 'error'],
    ['s', 13, 'SECRET_TEXT', 'invalid-base64', 'error'],
  ])
  assert.match(r.findings[0]?.message ?? '', /a Secret's data holds base64 of the base64 text.*was it encoded only once\?$/)
  assert.match(r.findings[2]?.message ?? '', /stringData holds the base64 text that Kestra decodes, not the value$/)
  // A key twice in data: YAML forbids it and kubectl rejects the manifest.
  const twice = check(`apiVersion: v1\nkind: Secret\ndata:\n  SECRET_A: ${b64(b64('a'))}\n  SECRET_A: ${b64(b64('b'))}\n`)
  assert.deepEqual(found(twice).map((f) => [f[1], f[3]]), [[5, 'format-syntax'], [5, 'duplicate']])
  assert.match(twice.findings[1]?.message ?? '', /kubectl rejects a mapping with a key twice/)
  // A key in data and in stringData: Kubernetes keeps stringData's, so data's gets a word: a
  // warning with another value, a note with the same one.
  const both = check(`apiVersion: v1\nkind: Secret\ndata:\n  SECRET_A: ${b64(b64('a'))}\n  SECRET_B: ${b64(b64('b'))}\n` +
    `stringData:\n  SECRET_A: "${b64('other')}"\n  SECRET_B: "${b64('b')}"\n`)
  assert.ok(both.ok)
  assert.deepEqual(found(both), [['doc', 4, 'SECRET_A', 'duplicate', 'warning'], ['doc', 5, 'SECRET_B', 'duplicate', 'note']])
  assert.deepEqual(both.secrets.map((s) => [s.variable, s.line]), [['SECRET_A', 7], ['SECRET_B', 8]])
})

test('JSON: duplicates, names a shell cannot load, names no .env or Secret can hold', () => {
  const r = check(`{\n  "SECRET_A": "${b64('1')}",\n  "SECRET_A": "${b64('2')}",\n  "SECRET_B.C": "${b64('3')}",\n  "SECRET_D/E": "${b64('4')}"\n}\n`)
  assert.equal(r.format, 'json')
  assert.deepEqual(found(r), [
    ['doc', 3, 'SECRET_A', 'duplicate', 'error'],
    ['doc', 4, 'SECRET_B.C', 'name-not-portable', 'warning'],
    ['doc', 5, 'SECRET_D…', 'invalid-name', 'error'],
  ])
  assert.match(r.findings[0]?.message ?? '', /JSON readers \(JSON\.parse, jq\) keep the last/)
})

test('invalid YAML or JSON: format-syntax errors with a line', () => {
  const yamlError = check('common:\n  extraEnv:\n    - name: SECRET_A\n      value: "YQ==\n    - name: SECRET_B\n')
  assert.equal(yamlError.ok, false)
  // The unclosed quote runs on to the end: a syntax error, and nothing of the document is read.
  assert.deepEqual(found(yamlError), [['doc', 6, null, 'format-syntax', 'error']])
  const jsonError = check('{\n  "SECRET_A": "YQ==",\n  "SECRET_B": YQ==\n}\n')
  assert.deepEqual(found(jsonError), [['doc', 3, null, 'format-syntax', 'error']])
})

test('--against with a values file: missing, extra, stale and case-differing names', () => {
  const plain = '# the source\nA=1\nB=2\nCASE=3\nMISSING=4\n'
  const values = renderFormat('helm', encodeEnv('A=1\nB=changed\nCase=3\nEXTRA=5\n').items, { yaml })
  const r = checkEncoded(values, { name: 'values.yaml', yaml, against: { name: '.env', text: plain } })
  assert.deepEqual(found(r), [
    ['values.yaml', 5, 'SECRET_B', 'stale-secret', 'error'],
    ['values.yaml', 7, 'SECRET_Case', 'name-case-differs', 'warning'],
    ['values.yaml', 9, 'SECRET_EXTRA', 'extra-secret', 'error'],
    ['.env', 5, 'MISSING', 'missing-secret', 'error'],
  ])
  // What encode --format writes is up to date with its source, in every format.
  for (const [format] of FORMATS) {
    const doc = renderFormat(format, encodeEnv(plain).items, { yaml })
    assert.deepEqual(checkEncoded(doc, { yaml, against: { name: '.env', text: plain } }).findings, [], format)
  }
})

test('--flows with a Secret manifest, as with the .env it stands for', () => {
  const flows = ['hello.yml', 'team/etl/etl.yaml'].map((f) => ({ name: `flows/${f}`, text: readFileSync(join(FLOWS, f), 'utf8') }))
  const r = checkEncoded(readFileSync(join(ENCODED, 'flows.k8s-secret.yaml'), 'utf8'),
    { name: 'secret.yaml', yaml, flows: { root: 'flows', files: flows } })
  assert.deepEqual(found(r), [
    ['secret.yaml', 14, 'SECRET_UNUSED', 'unused-secret', 'note'],
    ['flows/hello.yml', 16, 'api_token', 'ignored-namespace', 'note'],
    ['flows/hello.yml', 20, 'MISSING_ONE', 'flow-missing-secret', 'error'],
    ['flows/team/etl/etl.yaml', 16, 'DB_HOST', 'flow-missing-secret', 'error'],
    ['flows/team/etl/etl.yaml', 19, null, 'dynamic-secret', 'note'],
  ])
})

// ------------------------------------------------------------------------------------- the bin

test('check of each format that encode writes exits 0, naming the format', async () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), readFileSync(join(FX, 'values.env')))
  for (const [format] of FORMATS) {
    const out = `out.${format}`
    // encode and check --json in-process (the same run() as the bin); check --against is the bin.
    const encoded = await runInProcess(['encode', '--format', format, '-o', out, '-q'], { cwd: dir })
    assert.equal(encoded.status, 0, encoded.stderr)
    const r = runCli(['check', out, '--against', '.env'], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, `ready for Kestra: 6 secrets in ${out} (${format}) checked against .env\n`)
    const json = await runInProcess(['check', out, '--json'], { cwd: dir })
    assert.equal(json.status, 0, json.stderr)
    const report = JSON.parse(json.stdout) as { ok: boolean; format: string; secrets: number }
    assert.deepEqual([report.ok, report.format, report.secrets], [true, format, 6])
  }
  const stdin = runCli(['check', '-'], { cwd: dir, input: readFileSync(join(dir, 'out.k8s-secret')) })
  assert.equal(stdin.status, 0)
  assert.equal(stdin.stderr, 'ready for Kestra: 6 secrets in <stdin> (k8s-secret)\n')
}))

test('check of broken documents exits 1, one line per problem with file and line', () => {
  const helm = runCli(['check', 'test/fixtures/encoded/problems.helm.yaml'])
  assert.equal(helm.status, 1)
  assert.equal(helm.stdout, '')
  const lines = helm.stderr.trim().split('\n')
  assert.equal(lines.length, 11)
  for (const l of lines.slice(0, -1)) assert.match(l, /^test\/fixtures\/encoded\/problems\.helm\.yaml:\d+: (error|warning|note): /)
  assert.equal(lines.at(-1), 'not ready for Kestra: 8 secrets in test/fixtures/encoded/problems.helm.yaml (helm): 8 errors, 0 warnings, 2 notes')
  const once = runCli(['check', 'test/fixtures/encoded/once.k8s-secret.yaml', '--quiet'])
  assert.equal(once.status, 1)
  assert.match(once.stderr, /^test\/fixtures\/encoded\/once\.k8s-secret\.yaml:8: error: the value of SECRET_USERNAME/)
  const flows = runCli(['check', 'test/fixtures/encoded/flows.k8s-secret.yaml', '--flows', 'test/fixtures/flows'])
  assert.equal(flows.status, 1)
  assert.match(flows.stderr, /^test\/fixtures\/flows\/hello\.yml:20: error: secret\('MISSING_ONE'\)/m)
})

test('a values file: each deployment is an environment of its own; valueFrom and mounted Secrets are defined elsewhere', () => {
  const values = [
    'common:',
    '  extraEnv:',
    `    - { name: SECRET_SHARED, value: "${b64('s')}" }`,
    '    - name: SECRET_FROM_K8S',
    '      valueFrom: { secretKeyRef: { name: other, key: k } }',
    '  extraEnvFrom:',
    '    - secretRef: { name: kestra-extra }',
    'deployments:',
    '  webserver:',
    '    extraEnv:',
    `      - { name: SECRET_OWN, value: "${b64('w')}" }`,
    '  worker:',
    '    extraEnv:',
    `      - { name: SECRET_OWN, value: "${b64('x')}" }`,
    `      - { name: SECRET_SHARED, value: "${b64('again')}" }`,
    '',
  ].join('\n')
  const flows = { root: 'flows', files: [{ name: 'flows/f.yml', text: "a: \"{{ secret('FROM_K8S') }} {{ secret('IN_MOUNT') }}\"\n" }] }
  const r = checkEncoded(values, { name: 'v', yaml, flows })
  // SECRET_OWN twice, in two deployments: two containers, no duplicate; SECRET_SHARED in common and
  // in worker's list: one environment, a duplicate.
  assert.deepEqual(found(r).filter((f) => f[4] === 'error').map((f) => [f[1], f[2], f[3]]), [[15, 'SECRET_SHARED', 'duplicate']])
  assert.ok(found(r).some((f) => f[3] === 'defined-elsewhere' && f[2] === 'SECRET_FROM_K8S'))
  // A name defined by valueFrom is defined; one that may be in the mounted Secret is a warning, not an error.
  assert.deepEqual(found(r).filter((f) => f[0] === 'flows/f.yml').map((f) => [f[2], f[3], f[4]]), [['IN_MOUNT', 'flow-missing-secret', 'warning']])
  assert.match(r.findings.find((f) => f.code === 'flow-missing-secret')?.message ?? '', /unless the Secret kestra-extra that the values mount holds it/)
  assert.deepEqual(r.mounts.map((m) => m.secret), ['kestra-extra'])
  // Only mounts and valueFrom, no value of its own: defined elsewhere, not "no secret".
  const mountsOnly = checkEncoded('common:\n  extraEnv: []\n  extraEnvFrom:\n    - secretRef: { name: kestra-extra }\n', { name: 'm', yaml })
  assert.deepEqual(found(mountsOnly).filter((f) => f[4] === 'error'), [])
})

test('a name a .env cannot hold is shown only up to its first character a name cannot hold, in check and decode', () => {
  const json = `{"SECRET_OK/pa55w0rd": "${b64('x')}", "SECRET_B": "${b64('b')}"}\n`
  const r = check(json)
  assert.deepEqual(found(r).filter((f) => f[4] === 'error').map((f) => [f[2], f[3]]), [['SECRET_OK…', 'invalid-name']])
  assert.ok(r.findings.every((f) => !JSON.stringify(f).includes('pa55')), JSON.stringify(r.findings))
  const d = decodeEnv(json, { yaml })
  assert.equal(d.ok, false)
  assert.ok(d.diagnostics.every((f) => !JSON.stringify(f).includes('pa55')), JSON.stringify(d.diagnostics))
})

test('two worker groups whose names are both shown as <base64> are still two environments', () => {
  const doc = ['workerGroups:', '  alpha1:', '    extraEnv:', '      - name: SECRET_DB', '        value: "aGVsbG8="',
    '  alpha2:', '    extraEnv:', '      - name: SECRET_DB', '        value: "aGVsbG8="', ''].join('\n')
  // alpha1 and alpha2 read as base64 of text, so messages hide both; their lists stay apart.
  assert.deepEqual(found(check(doc)), [])
  const read = readFormatted(doc, yaml)
  assert.deepEqual(read?.entries.map((e) => e.list), ['workerGroups.<base64>.extraEnv', 'workerGroups.<base64> (2).extraEnv'])
  // A third, and the numbers of each group are its own.
  const three = ['deployments:', '  alpha4:', '    extraEnv:', '      - name: SECRET_Y', '        value: "aGVsbG8="',
    ...doc.split('\n').slice(0, -1), '  alpha3:', '    extraEnv:', '      - name: SECRET_X', '        value: "aGVsbG8="', ''].join('\n')
  assert.deepEqual(readFormatted(three, yaml)?.entries.map((e) => e.list),
    ['deployments.<base64>.extraEnv', 'workerGroups.<base64>.extraEnv', 'workerGroups.<base64> (2).extraEnv', 'workerGroups.<base64> (3).extraEnv'])
  // One list that defines the name twice is still a duplicate.
  const one = ['workerGroups:', '  alpha1:', '    extraEnv:', '      - name: SECRET_DB', '        value: "aGVsbG8="',
    '      - name: SECRET_DB', '        value: "aGVsbG8="', ''].join('\n')
  assert.deepEqual(found(check(one)).map((f) => f[3]), ['duplicate'])
})
