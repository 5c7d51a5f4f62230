// decode of the formats of `encode --format`: a values file (chart 1.0+ or 0.x), a Secret manifest
// or JSON is recognised from its content and turned back into a plain .env, in document order,
// with its YAML comments; diagnostics carry the document's lines and never a value. The core on
// the fixtures and inline documents, then black-box runs of the built bin.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { decodeEnv } from '../../src/core/decode.js'
import { ROOT, loadsYaml, runCli, runInProcess, withTempDir, withTempDirAsync } from '../helpers.js'
import { formatsFixturesDir, yaml } from './formats/helpers.js'

const FX = formatsFixturesDir()
const FORMATS = [['helm', '.yaml'], ['helm-legacy', '.yaml'], ['k8s-secret', '.yaml'], ['json', '']] as const
const FIXTURES = ['basic', 'bom-comment', 'crlf', 'no-entries', 'odd-comments', 'sections', 'values']
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64')
const codes = (r: { diagnostics: ReadonlyArray<{ line?: number; key?: string; code: string; severity: string }> }): string[] =>
  r.diagnostics.map((d) => `${d.line ?? '-'}:${d.severity}:${d.code}${d.key === undefined ? '' : `:${d.key}`}`)

/** Every value in the documents below holds this marker; no message may show it. */
const MARK = 'Qk1xMarkZz'
function assertNoValue(r: { diagnostics: ReadonlyArray<{ message: string }> }): void {
  for (const d of r.diagnostics) {
    assert.ok(!d.message.includes(MARK) && !d.message.includes(b64(MARK).slice(0, 8)), d.message)
  }
}

test('every format of every fixture decodes to what dotenv reads from the .env it came from', () => {
  for (const name of FIXTURES) {
    const plain = dotenv.parse(readFileSync(join(FX, `${name}.env`)))
    for (const [format, ext] of FORMATS) {
      const text = readFileSync(join(FX, `${name}.${format}${ext}`), 'utf8')
      const r = decodeEnv(text, { yaml })
      assert.ok(r.ok, `${name}.${format}: ${JSON.stringify(r.diagnostics)}`)
      assert.equal(r.format, format)
      assert.deepEqual(dotenv.parse(r.text), plain, `${name}.${format}`)
      assert.deepEqual(codes(r), name === 'no-entries' ? ['-:warning:no-entries'] : [], `${name}.${format}`)
      // The YAML comments are all there, in order, as .env comments; JSON has none.
      const comments = (s: string): string[] => s.split(/\r?\n/).filter((l) => /^\s*#/.test(l)).map((l) => l.trim())
      assert.deepEqual(comments(r.text), format === 'json' ? [] : comments(text), `${name}.${format} comments`)
      // The line ending of the document.
      assert.equal(r.text.includes('\r\n'), name === 'crlf' && r.text !== '', `${name}.${format} line endings`)
    }
  }
})

test('a values file becomes a .env with the comments in their places', () => {
  const r = decodeEnv(readFileSync(join(FX, 'sections.helm.yaml'), 'utf8'), { yaml })
  assert.equal(r.text, [
    '# Kestra secrets for production',
    '# (owner: platform team)',
    '',
    '# --- Database ---',
    "DB_PASSWORD='p@ss: word # not a comment'",
    'DB_EMPTY=',
    '# indented comment',
    '#',
    'DB_URL=postgres://kestra:5432/kestra?ssl=true',
    '',
    '# --- APIs ---',
    '# team channel',
    'SLACK_WEBHOOK=https://hooks.slack.com/services/T000/B000/XXXX',
    'GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzABCD',
    '',
    '# trailing notes',
    '#   keep these',
    '',
  ].join('\n'))
  assert.deepEqual(r.entries.map((e) => [e.variable, e.name, e.line, e.decoded]), [
    ['SECRET_DB_PASSWORD', 'DB_PASSWORD', 7, true], ['SECRET_DB_EMPTY', 'DB_EMPTY', 9, true],
    ['SECRET_DB_URL', 'DB_URL', 13, true], ['SECRET_SLACK_WEBHOOK', 'SLACK_WEBHOOK', 18, true],
    ['SECRET_GITHUB_TOKEN', 'GITHUB_TOKEN', 20, true],
  ])
})

test('a commented-out empty value before a YAML comment line that starts with a quote is decoded as # K=\'\'', () => {
  // `# K=` there would read its value from the quote on the line after it.
  const doc = `common:\n  extraEnv:\n    # SECRET_K=''\n    #\n    # "x"\n    # SECRET_J=\n    # y\n    - name: SECRET_A\n      value: "${b64('1')}"\n`
  const r = decodeEnv(doc, { yaml })
  assert.equal(r.text, `# K=''\n#\n# "x"\n# J=\n# y\nA=1\n`)
})

test('a hand-written values file: other settings ignored, other variables kept, valueFrom noted and left out', () => {
  const r = decodeEnv([
    '# Kestra on the staging cluster',
    '',
    'image: {tag: latest}',
    'common:',
    '  extraEnv:',
    '    # the database',
    `    - name: SECRET_DB_PASSWORD # inline`,
    `      value: ${b64('p@ss word')}`,
    '    - name: JAVA_OPTS',
    "      value: '-Xmx1g -Dx=\"y\"'",
    '    - name: SECRET_FROM_K8S',
    '      valueFrom: {secretKeyRef: {name: s, key: k}}',
    '    # multi-line PEM',
    `    - {name: SECRET_PEM, value: "${b64('-----BEGIN-----\nabc\n-----END-----')}"}`,
    '    - name: SECRET_',
    `      value: ${b64('x')}`,
    '    - name: SECRET_NOTHING',
    'deployments:',
    '  webserver: {enabled: true}',
    '',
  ].join('\n'), { yaml })
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  assert.equal(r.format, 'helm')
  assert.equal(r.text, [
    '# Kestra on the staging cluster',
    '',
    '# the database',
    'DB_PASSWORD=p@ss word',
    '# inline',
    'JAVA_OPTS=-Xmx1g -Dx="y"',
    '# multi-line PEM',
    'PEM="-----BEGIN-----\\nabc\\n-----END-----"',
    `SECRET_=${b64('x')}`,
    'NOTHING=',
    '',
  ].join('\n'))
  assert.deepEqual(codes(r), [
    '9:warning:not-prefixed:JAVA_OPTS', '11:note:defined-elsewhere:SECRET_FROM_K8S', '15:warning:empty-name:SECRET_',
  ])
})

test('a Secret: data decoded once, stringData winning over it, in document order', () => {
  const r = decodeEnv([
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: kestra-secrets}',
    'stringData:',
    `  SECRET_FIRST: "${b64('first')}"`,
    `  SECRET_BOTH: "${b64('from stringData')}"`,
    'data:',
    `  SECRET_BOTH: ${b64(b64('from data'))}`,
    '  # kubectl writes data like this, unquoted',
    `  SECRET_LAST: ${b64(b64('last # not a comment'))}`,
    '',
  ].join('\n'), { yaml })
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  assert.equal(r.format, 'k8s-secret')
  assert.equal(r.text, "FIRST=first\nBOTH=from stringData\n# kubectl writes data like this, unquoted\nLAST='last # not a comment'\n")
  // The value in data that is left out is not lost without a word.
  assert.deepEqual(codes(r), ['8:warning:duplicate:SECRET_BOTH'])
  assert.equal(r.diagnostics[0]?.message, "SECRET_BOTH is also in stringData (line 6), with a different value: Kubernetes " +
    "keeps stringData's, so the one in data is left out: remove one of them")
})

test('JSON: members in order; a repeated name with another value is an error, with the same value a note', () => {
  const json = `{\n  "SECRET_A": "${b64(MARK)}",\n  "OTHER": "x y",\n  "SECRET_A": "${b64(`${MARK}2`)}"\n}\n`
  const r = decodeEnv(json)
  assert.equal(r.ok, false)
  assert.equal(r.format, 'json')
  assert.equal(r.text, '')
  assert.deepEqual(codes(r), ['3:warning:not-prefixed:OTHER', '4:error:duplicate:SECRET_A'])
  assert.equal(r.diagnostics[1]?.message, 'SECRET_A is already defined on line 2, with a different value: a .env holds ' +
    'one value per name, and dotenv would keep only the last: remove or rename one of them')
  assertNoValue(r)
  const same = decodeEnv(`{\n  "SECRET_A": "${b64('one')}",\n  "OTHER": "x y",\n  "SECRET_A": "${b64('one')}"\n}\n`)
  assert.ok(same.ok)
  assert.equal(same.text, 'A=one\nOTHER=x y\nA=one\n')
  assert.deepEqual(codes(same), ['3:warning:not-prefixed:OTHER', '4:note:duplicate:SECRET_A'])
})

test('a values file whose deployments each give a name: another value is an error naming both lists, the same a note', () => {
  const values = [
    'common:',
    '  extraEnv:',
    `    - { name: SECRET_SHARED, value: "${b64(MARK)}" }`,
    'deployments:',
    '  webserver:',
    '    extraEnv:',
    `      - { name: SECRET_TOKEN, value: "${b64(`${MARK}w`)}" }`,
    '  worker:',
    '    extraEnv:',
    `      - { name: SECRET_TOKEN, value: "${b64(`${MARK}x`)}" }`,
    `      - { name: SECRET_SHARED, value: "${b64(MARK)}" }`,
    '',
  ].join('\n')
  const r = decodeEnv(values, { yaml })
  assert.equal(r.ok, false)
  assert.equal(r.format, 'helm')
  assert.deepEqual(codes(r), ['10:error:duplicate:SECRET_TOKEN', '11:note:duplicate:SECRET_SHARED'])
  assert.equal(r.diagnostics[0]?.message, 'SECRET_TOKEN in deployments.worker.extraEnv is already defined on line 7 in ' +
    'deployments.webserver.extraEnv, with a different value: a .env holds one value per name, and dotenv would keep only ' +
    'the last: remove or rename one of them')
  assert.equal(r.diagnostics[1]?.message, 'SECRET_SHARED in deployments.worker.extraEnv is already defined on line 3 in ' +
    'common.extraEnv, with the same value: it is written twice, and dotenv reads that value either way')
  assertNoValue(r)
  // With the same value in both deployments, it is written twice, with the note.
  const shared = decodeEnv(values.replace(b64(`${MARK}x`), b64(`${MARK}w`)), { yaml })
  assert.ok(shared.ok, JSON.stringify(shared.diagnostics))
  assert.deepEqual(codes(shared), ['10:note:duplicate:SECRET_TOKEN', '11:note:duplicate:SECRET_SHARED'])
  assert.equal(shared.text, `SHARED=${MARK}\nTOKEN=${MARK}w\nTOKEN=${MARK}w\nSHARED=${MARK}\n`)
  // One list that gives it twice: no list in the message, since both are in the same one.
  const one = decodeEnv(`extraEnv:\n  - {name: SECRET_A, value: "${b64('a')}"}\n  - {name: SECRET_A, value: "${b64('b')}"}\n`, { yaml })
  assert.equal(one.format, 'helm-legacy')
  assert.deepEqual(codes(one), ['3:error:duplicate:SECRET_A'])
  assert.match(one.diagnostics[0]?.message ?? '', /^SECRET_A is already defined on line 2, with a different value: /)
  // Chart 0.x: the top-level extraEnv and a deployment's (which the chart uses instead of it).
  const legacy = decodeEnv([
    'extraEnv:',
    `  - {name: SECRET_A, value: "${b64('a')}"}`,
    'deployments:',
    '  worker:',
    '    extraEnv:',
    `      - {name: SECRET_A, value: "${b64('b')}"}`,
    '',
  ].join('\n'), { yaml })
  assert.equal(legacy.format, 'helm-legacy')
  assert.deepEqual(codes(legacy), ['6:error:duplicate:SECRET_A'])
  assert.match(legacy.diagnostics[0]?.message ?? '', /^SECRET_A in deployments\.worker\.extraEnv is already defined on line 2 in extraEnv, /)
})

test('SECRET___proto__ of a values file or JSON is left out with a warning; its comments stay', () => {
  const r = decodeEnv([
    'common:',
    '  extraEnv:',
    '    # before it',
    `    - name: SECRET___proto__ # after it`,
    `      value: "${b64(MARK)}"`,
    `    - { name: SECRET_B, value: "${b64('b')}" }`,
    '',
  ].join('\n'), { yaml })
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  assert.equal(r.text, '# before it\n# after it\nB=b\n')
  assert.deepEqual(codes(r), ['4:warning:ignored-name:SECRET___proto__'])
  assert.equal(r.diagnostics[0]?.message, 'dotenv ignores the name __proto__, so SECRET___proto__ is left out: rename it')
  assert.deepEqual(r.entries.map((e) => e.variable), ['SECRET_B'])
  const json = decodeEnv(`{"SECRET___proto__": "${b64(MARK)}"}`)
  assert.equal(json.text, '')
  assert.deepEqual(codes(json), ['-:warning:no-entries', '1:warning:ignored-name:SECRET___proto__'])
  assertNoValue(json)
})

test('a Secret with a key twice in data: the YAML error, and the duplicate', () => {
  const r = decodeEnv(`apiVersion: v1\nkind: Secret\ndata:\n  SECRET_A: ${b64(b64('a'))}\n  SECRET_A: ${b64(b64('b'))}\n`, { yaml })
  assert.equal(r.ok, false)
  assert.deepEqual(codes(r), ['5:error:format-syntax', '5:error:duplicate:SECRET_A'])
})

test('errors carry the document\'s lines and never a value; nothing is written', () => {
  const bad = decodeEnv([
    'common:',
    '  extraEnv:',
    `    - name: SECRET_OK`,
    `      value: "${b64(MARK)}"`,
    '    - name: SECRET_URLSAFE',
    `      value: "${b64(`${MARK}??>`).replace(/\+/g, '-').replace(/\//g, '_')}"`,
    '    - name: SECRET_PLAIN',
    `      value: "${MARK}!"`,
    '    - name: SECRET_BOOL',
    '      value: yes',
    '    - name: SECRET_MACRO',
    `      value: '{{ "${MARK}" | base64encode }}'`,
    '    - name: SECRET_NOT_UTF8',
    `      value: "${b64(Buffer.concat([Buffer.from(MARK), Buffer.from([0xff])]))}"`,
    '    - name: SECRET_UNWRITABLE',
    `      value: "${b64(`'\`${MARK}\\n\n"`)}"`,
    '    - name: "SECRET_A/B"',
    `      value: "${b64(MARK)}"`,
    '',
  ].join('\n'), { yaml })
  assert.equal(bad.ok, false)
  assert.equal(bad.text, '')
  assert.deepEqual(bad.entries, [])
  assert.deepEqual(codes(bad), [
    '5:error:invalid-base64:SECRET_URLSAFE', '7:error:invalid-base64:SECRET_PLAIN', '10:error:format-invalid:SECRET_BOOL',
    '11:error:template:SECRET_MACRO', '13:error:not-utf8:SECRET_NOT_UTF8', '15:error:unwritable-value:SECRET_UNWRITABLE',
    '17:error:invalid-name:SECRET_A…',
  ])
  assert.match(bad.diagnostics[3]?.message ?? '', /nothing renders in a values file/)
  assertNoValue(bad)
})

test('a Secret whose data was encoded only once: an error that says so', () => {
  const r = decodeEnv([
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: s}',
    'type: Opaque',
    'data:',
    // The published example: echo -n "admin" | base64, once.
    `  SECRET_ADMIN: ${b64('admin')}`,
    `  SECRET_WORD: ${b64('password')}`,
    'stringData:',
    `  SECRET_RAW: ${MARK}xy!`,
    '',
  ].join('\n'), { yaml })
  assert.equal(r.ok, false)
  assert.deepEqual(codes(r), ['6:error:invalid-base64:SECRET_ADMIN', '7:error:not-utf8:SECRET_WORD', '9:error:invalid-base64:SECRET_RAW'])
  assert.match(r.diagnostics[0]?.message ?? '', /a Secret's data holds base64 of the base64 text.*was it encoded only once\?$/)
  assert.match(r.diagnostics[2]?.message ?? '', /stringData holds the base64 text that Kestra decodes, not the value$/)
  assertNoValue(r)
})

test('invalid YAML and invalid JSON: errors with a line, and no source text', () => {
  const yamlError = decodeEnv(`extraEnv:\n  - name: SECRET_A\n    value: "${b64(MARK)}"\n  - name: SECRET_B\n    value: "${MARK}\n  - x: [\n`, { yaml })
  assert.equal(yamlError.ok, false)
  assert.ok(yamlError.diagnostics.some((d) => d.code === 'format-syntax' && d.line !== undefined), JSON.stringify(yamlError.diagnostics))
  assertNoValue(yamlError)
  const jsonError = decodeEnv(`{\n  "SECRET_A": "${b64(MARK)}",\n  "SECRET_B": ${MARK}\n}\n`, { yaml })
  assert.deepEqual(codes(jsonError), ['3:error:format-syntax'])
  assertNoValue(jsonError)
})

test('YAML comments cannot smuggle an entry into the .env; CRLF documents give CRLF', () => {
  const r = decodeEnv(`extraEnv:\n  # a\u2028SECRET_INJECTED=eA==\u2029B=1\n  - name: SECRET_A\n    value: "${b64('a')}"\n`, { yaml })
  assert.ok(r.ok)
  assert.equal(r.text, '# a SECRET_INJECTED=eA== B=1\nA=a\n')
  assert.deepEqual(dotenv.parse(r.text), { A: 'a' })
  const crlf = decodeEnv(`# top\r\n\r\nextraEnv:\r\n  - name: SECRET_A\r\n    value: "${b64('a\nb')}"\r\n`, { yaml })
  assert.equal(crlf.text, '# top\r\n\r\nA="a\\nb"\r\n')
  assert.equal(crlf.eol, '\r\n')
})

test('without the yaml module, JSON is still read and a YAML document is read as a .env', () => {
  const json = decodeEnv(`{"SECRET_A": "${b64('a')}"}`)
  assert.equal(json.format, 'json')
  assert.equal(json.text, 'A=a\n')
  const helm = decodeEnv(readFileSync(join(FX, 'basic.helm.yaml'), 'utf8'))
  assert.equal(helm.format, 'env')
  assert.equal(decodeEnv(readFileSync(join(FX, 'basic.helm.yaml'), 'utf8'), { yaml }).format, 'helm')
})

// ------------------------------------------------------------------------------------- the bin

test('encode --format F | decode - gives back what dotenv reads from the original, for every F', async () => withTempDirAsync(async (dir) => {
  for (const name of ['sections', 'values', 'crlf']) {
    const source = join('test', 'fixtures', 'formats', `${name}.env`)
    const plain = dotenv.parse(readFileSync(join(ROOT, source)))
    for (const [format] of FORMATS) {
      // encode in-process, as the bin would. decode reads the pipe's end, stdin, so it is the bin
      // for the first fixture; the others' documents, which stdin would only carry, are files.
      const encoded = await runInProcess(['encode', source, '--format', format, '--stdout', '-q'], { cwd: ROOT })
      assert.equal(encoded.status, 0, encoded.stderr)
      assert.equal(encoded.stderr, '', '-q')
      const piped = name === 'sections'
      if (!piped) writeFileSync(join(dir, 'in'), encoded.stdout)
      const decoded = piped ? runCli(['decode', '-'], { input: encoded.stdout }) : await runInProcess(['decode', 'in'], { cwd: dir })
      assert.equal(decoded.status, 0, decoded.stderr)
      assert.deepEqual(dotenv.parse(decoded.stdout), plain, `${name} ${format}`)
      assert.match(decoded.stderr, new RegExp(`^decoded \\d+ secrets? from ${piped ? '<stdin>' : 'in'} \\(${format}\\) to stdout\\n$`))
    }
  }
}))

test('decode of a values file: -o writes 0600, errors exit 1 with file:line and write nothing', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'values.yaml'), readFileSync(join(FX, 'basic.helm.yaml')))
  const o = runCli(['decode', 'values.yaml', '-o', 'plain.env'], { cwd: dir })
  assert.equal(o.status, 0, o.stderr)
  assert.equal(o.stdout, '')
  assert.equal(o.stderr, 'decoded 2 secrets from values.yaml (helm) to plain.env\n')
  assert.equal(statSync(join(dir, 'plain.env')).mode & 0o777, 0o600)
  assert.deepEqual(dotenv.parse(readFileSync(join(dir, 'plain.env'))), dotenv.parse(readFileSync(join(FX, 'basic.env'))))

  writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  SECRET_ADMIN: ${b64(`${MARK}`)}\n`)
  const bad = runCli(['decode', 'secret.yaml', '-o', 'bad.env'], { cwd: dir })
  assert.equal(bad.status, 1)
  assert.equal(bad.stdout, '')
  assert.match(bad.stderr, /^secret\.yaml:5: error: the value of SECRET_ADMIN .*was it encoded only once\?\nnothing was written: 1 error\n$/)
  assert.doesNotMatch(bad.stderr, new RegExp(MARK))
  assert.equal(existsSync(join(dir, 'bad.env')), false)

  writeFileSync(join(dir, 'warned.json'), `{"JAVA_OPTS": "-Xmx1g", "SECRET_A": "${b64('a')}"}`)
  const warned = runCli(['decode', 'warned.json'], { cwd: dir })
  assert.equal(warned.status, 0)
  assert.equal(warned.stdout, 'JAVA_OPTS=-Xmx1g\nA=a\n')
  assert.match(warned.stderr, /^warned\.json:1: warning: JAVA_OPTS does not start with SECRET_/)
  const strict = runCli(['decode', 'warned.json', '--strict', '-o', 'strict.env'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.equal(existsSync(join(dir, 'strict.env')), false)
  assert.deepEqual(readdirSync(dir).sort(), ['plain.env', 'secret.yaml', 'values.yaml', 'warned.json'])
}))

test('decode and check of a Secret with a name in data and stringData: a warning at data\'s line, exit 0, or 1 with --strict', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'secret.yaml'), [
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: s}',
    'data:',
    `  SECRET_A: ${b64(b64(MARK))}`,
    'stringData:',
    `  SECRET_A: "${b64(`${MARK}2`)}"`,
    '',
  ].join('\n'))
  const warning = "secret.yaml:5: warning: SECRET_A is also in stringData (line 7), with a different value: Kubernetes keeps " +
    "stringData's, so the one in data is left out: remove one of them\n"
  const r = runCli(['decode', 'secret.yaml'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, `A=${MARK}2\n`)
  assert.equal(r.stderr, `${warning}decoded 1 secret from secret.yaml (k8s-secret) to stdout (1 warning)\n`)
  const strict = runCli(['decode', 'secret.yaml', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.equal(strict.stdout, '')
  const check = runCli(['check', 'secret.yaml'], { cwd: dir })
  assert.equal(check.status, 0)
  assert.equal(check.stderr, `${warning}ready for Kestra: 1 secret in secret.yaml (k8s-secret) (0 errors, 1 warning, 0 notes)\n`)
}))

test('decode and check load the yaml library only for a text that may be a YAML document', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), `# Database\nSECRET_A=${b64('a')}\n`)
  writeFileSync(join(dir, 'values.yaml'), readFileSync(join(FX, 'basic.helm.yaml')))
  writeFileSync(join(dir, 'secrets.json'), readFileSync(join(FX, 'basic.json')))
  for (const command of ['decode', 'check']) {
    assert.equal(loadsYaml(dir, [command, '.env_encoded', '-q']), false, command)
    assert.equal(loadsYaml(dir, [command, 'values.yaml', '-q']), true, command)
  }
}))

test('the README\'s decode and check examples of a format are what the tool does', () => withTempDir((dir) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = (from: string, to: string): string => readme.slice(readme.indexOf(from), readme.indexOf(to, readme.indexOf(from)))
  const formats = section('\n### Formats\n', '\n#### `helm`')
  writeFileSync(join(dir, '.env'), /\$ cat \.env\n([\s\S]*?)```/.exec(formats)?.[1] ?? '')
  for (const format of ['helm', 'k8s-secret']) assert.equal(runCli(['encode', '--format', format, '-q'], { cwd: dir }).status, 0)
  const blocks = [section('\n### `decode [file]`', '\n### `check [file]`'), section('\n### `check [file]`', '\n### `run [file]')]
    .flatMap((s) => [...s.matchAll(/^( *)```console\n([\s\S]*?)^ *```/gm)]
      .map((m) => (m[2] as string).replace(new RegExp(`^${m[1] as string}`, 'gm'), '')))
    .filter((b) => b.includes('.yaml'))
  assert.equal(blocks.length, 2)
  for (const block of blocks) {
    for (const step of block.split(/^(?=\$ )/m)) {
      const [command = '', ...rest] = step.split('\n')
      const shown = rest.join('\n').replace(/\n+$/, '') + '\n'
      const args = command.replace(/^\$ /, '').split(' ')
      if (args[0] === 'cat') {
        assert.equal(readFileSync(join(dir, args[1] ?? ''), 'utf8'), shown, command)
        continue
      }
      assert.equal(args[0], 'kestra-secrets')
      const r = runCli(args.slice(1), { cwd: dir })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr + r.stdout, shown, command)
    }
  }
}))
