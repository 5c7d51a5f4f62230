// Secrets are the payload: every diagnostic of check and decode runs here on values that carry
// unique markers, and no marker, no encoded value and no raw value may appear on stderr, nor on
// stdout (except decode's result, which is the decoded .env itself). Markers (helpers.ts) knows
// every form in which a value could leak. encode.leaks.test.ts does the same for encode, in every
// format, and for decode and check fed YAML and JSON documents. Most runs are in-process (the same
// run() the bin calls, in the test's folder); those that read stdin, and one per test, run the bin.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Markers, assertNoStack, runCli, runInProcess, withTempDirAsync } from '../helpers.js'

const markers = new Markers()
/** A plaintext value with a marker of its own. */
const secret = (text = ''): string => markers.value(text)
/** Its base64, which may not be printed either. */
const b64 = (bytes: string | Buffer): string => markers.b64(bytes)
/** A raw value as it stands in the file (not base64). */
const raw = (text: string): string => markers.raw(text)
const assertNoLeak = (what: string, output: string): void => markers.assertNoLeak(what, output)

const long = secret('x'.repeat(90))
const wrapped = (b64(long).match(/.{1,76}/g) ?? []).join('\n')
for (const piece of wrapped.split('\n')) raw(piece)
// A value cut from its entry by a line break, and one wrapped at 60 columns (which is no wrap that
// decode joins): dotenv reads a line of base64 that ends in `=` as an entry named by the rest.
const padded = (): string => [secret('a'), secret('ab'), secret('abc')].map((v) => b64(v)).find((e) => e.endsWith('=')) as string
const cut = raw(padded())
const wrapped60 = (padded().match(/.{1,60}/g) ?? []).join('\n')
for (const piece of wrapped60.split('\n')) raw(piece.replace(/=+$/, ''))

// One encoded file with every finding check knows about its entries.
const ENCODED = [
  '# every finding',
  `SECRET_URLSAFE=${raw(b64(secret('??>>')).replace(/\+/g, '-').replace(/\//g, '_'))}`,
  `SECRET_SPACES=${raw(`${b64(secret())} ${b64(secret())}`)}`,
  `SECRET_PADDING=${raw(`${b64(secret('ab'))}=`)}`,
  `SECRET_LENGTH=${raw(`${b64(secret('abc'))}Q`)}`,
  `SECRET_QUOTED="${b64(secret())}"`,
  `SECRET_COMMENT=${b64(secret())} # ${raw('Mk900zQxcomment')}`,
  `export SECRET_EXPORTED=${b64(secret())}`,
  `SECRET_COLON: ${b64(secret())}`,
  `SECRET_SPACED = ${b64(secret())}`,
  `SECRET_TRAILING=${b64(secret())}  `,
  `SECRET_NOT_UTF8=${b64(Buffer.concat([Buffer.from(secret()), Buffer.from([0xff])]))}`,
  `SECRET_PLAIN=${raw('Mk901zQxplainpassword')}`,
  `SECRET_CONTROL=${b64(secret('\u0001'))}`,
  `SECRET_QUOTES_KEPT=${b64(`"${secret()}"`)}`,
  `SECRET_INLINE_KEPT=${b64(`${secret()} # kept`)}`,
  `SECRET_NEWLINE=${b64(`${secret()}\n`)}`,
  `SECRET_TEMPLATE={{ "${raw('Mk902zQxmacro')}" | base64encode }}`,
  `SECRET_token=${b64(secret())}`,
  `SECRET_TOKEN=${b64(secret())}`,
  `SECRET_DUP=${b64(secret())}`,
  `SECRET_DUP=${b64(secret())}`,
  `secret_lower=${b64(secret())}`,
  `OTHER_VAR=${raw('Mk903zQxother')}`,
  `SECRET_=${b64(secret())}`,
  `SECRET_# junk=${b64(secret())}`,
  `SECRET_DOT.NAME=${b64(secret())}`,
  `SECRET_WRAPPED=${wrapped}`,
  'SECRET_CUT=',
  cut,
  `SECRET_W60=${wrapped60}`,
  `SECRET_STALE=${b64(secret())}`,
  `SECRET_EXTRA=${b64(secret())}`,
  `SECRET_Case=${b64(secret())}`,
  `SECRET_UNUSED=${b64(secret())}`,
].join('\n') + '\n'
const PLAIN = `STALE=${secret()}\nMISSING=${secret()}\nCASE=${secret()}\n`
const FLOW = "id: f\nx: \"{{ secret('NOT_THERE') }} {{ secret('STALE') }} {{ secret(inputs.n) }}\"\n"

const CHECK_CODES = [
  'invalid-base64', 'quoted-value', 'inline-comment', 'export-prefix', 'entry-form', 'not-utf8', 'not-printable',
  'decoded-quoted', 'decoded-comment', 'trailing-newline', 'template', 'case-collision', 'duplicate', 'prefix-case',
  'not-prefixed', 'empty-name', 'ignored-line', 'name-not-portable', 'wrapped-value', 'stale-secret', 'extra-secret',
  'missing-secret', 'name-case-differs', 'flow-missing-secret', 'unused-secret', 'dynamic-secret',
]

test('check: no finding, in lines or in JSON, shows a value', async () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  writeFileSync(join(dir, '.env'), PLAIN)
  mkdirSync(join(dir, 'flows'))
  writeFileSync(join(dir, 'flows', 'f.yml'), FLOW)
  const args = ['check', '--against', '.env', '--flows', 'flows']
  const json = runCli([...args, '--json'], { cwd: dir })
  assert.equal(json.status, 1)
  const report = JSON.parse(json.stdout) as { findings: Array<{ code: string }> }
  const codes = new Set(report.findings.map((f) => f.code))
  for (const c of CHECK_CODES) assert.ok(codes.has(c), `the input reaches ${c}`)
  assertNoLeak('check --json stdout', json.stdout)
  assertNoLeak('check --json stderr', json.stderr)
  for (const extra of [[], ['--strict']]) {
    const r = await runInProcess([...args, ...extra], { cwd: dir })
    assert.equal(r.status, 1)
    assert.equal(r.stdout, '')
    // Every finding is printed (up to 20 of a code): the lines are there to leak from.
    assert.match(r.stderr, /^\.env_encoded:\d+: error: /m)
    assertNoLeak('check stderr', r.stderr)
  }
  // And the findings that need a file of their own.
  writeFileSync(join(dir, 'binary'), `SECRET_A=${b64(secret())}\n\0${raw('Mk904zQxafternul')}`)
  writeFileSync(join(dir, 'empty'), '# Mk905zQx is in a comment only\n')
  mkdirSync(join(dir, 'noflows'))
  for (const file of ['binary', 'empty']) {
    const r = await runInProcess(['check', file, '--flows', 'noflows'], { cwd: dir })
    assert.equal(r.status, 1, `check ${file}`)
    assert.match(r.stderr, file === 'binary' ? /^binary:2: error: contains a NUL byte/ : /^empty: error: no SECRET_ variable found/, `check ${file}`)
    assertNoLeak(`check ${file}`, r.stdout + r.stderr)
  }
}))

test('decode: no diagnostic shows a value; stdout holds the result only on success', async (t) => withTempDirAsync(async (dir) => {
  // Errors, each in a file of its own, then all warnings in one file.
  const failing: Record<string, string> = {
    invalid: `SECRET_A=${raw(`${b64(secret())}=`)}\n`,
    template: `SECRET_A={{ "${raw('Mk906zQxmacro')}" | base64encode }}\n`,
    notUtf8: `SECRET_A=${b64(Buffer.concat([Buffer.from(secret()), Buffer.from([0xc3])]))}\n`,
    nul: `SECRET_A=${b64(`${secret()}\0`)}\n`,
    unwritable: `SECRET_A=${b64(`'\`${secret()}\\n\n"`)}\n`,
    binary: `SECRET_A=${b64(secret())}\n\0`,
  }
  for (const [name, text] of Object.entries(failing)) {
    writeFileSync(join(dir, name), text)
    const r = await runInProcess(['decode', name], { cwd: dir })
    assert.equal(r.status, 1, name)
    assert.equal(r.stdout, '', name)
    assertNoLeak(`decode ${name}`, r.stderr)
  }
  const warned = [
    `OTHER=${raw('Mk907zQxkept')}`,
    `SECRET_=${b64(secret())}`,
    `SECRET_# junk=${b64(secret())}`,
    `SECRET_WRAPPED=${wrapped}`,
    'SECRET_CUT=',
    cut,
    `SECRET_W60=${wrapped60}`,
    `SECRET_OK=${b64(secret())}`,
  ].join('\n') + '\n'
  writeFileSync(join(dir, 'warned'), warned)
  // In a git work tree, so that the warning about a tracked plain-text output runs too.
  const git = spawnSync('git', ['init', '-q', dir]).status === 0
  const r = await runInProcess(['decode', 'warned', '-o', 'plain.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  for (const code of ['not start with SECRET_', 'no name after the prefix', 'dotenv does not read', 'wrapped']) {
    assert.ok(r.stderr.includes(code), code)
  }
  if (git) assert.match(r.stderr, /plain\.env: warning: is in a git work tree/)
  else t.diagnostic('git is not installed: the warning about a tracked output is not checked')
  assertNoLeak('decode warnings', r.stdout + r.stderr)
  const strict = await runInProcess(['decode', 'warned', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.equal(strict.stdout, '')
  assertNoLeak('decode --strict', strict.stdout + strict.stderr)
  const empty = runCli(['decode', '-'], { cwd: dir, input: '# Mk908zQx\n' })
  assert.match(empty.stderr, /no KEY=VALUE entries/)
  assertNoLeak('decode of an empty file', empty.stderr)
}))

test('check and decode: every mode and input source stays silent about values', async () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  // A plain side with values dotenv reads in every way: quoted, multi-line, cut at #, never closed.
  const plain = [
    `STALE="${secret('with spaces')}"`,
    `CASE='${secret()}\nsecond line'`,
    `EXTRA=${secret()}#${raw('Mk909zQxcut')}`,
    `MISSING="${secret()}`,
    `export TOKEN=${secret()} # note`,
  ].join('\n') + '\n'
  writeFileSync(join(dir, '.env'), plain)
  const runs: Array<[string[], string | undefined]> = [
    [['check', '-q'], undefined],
    [['check', '--json', '--strict'], undefined],
    [['check', '-', '--against', '.env'], ENCODED],
    [['check', '--against', '-', '--json'], plain],
    [['check', '--against', '.env', '--strict', '-q'], undefined],
    [['decode', '-q'], undefined],
    [['decode', '-o', 'out.env'], undefined],
    [['decode', '-', '--strict'], ENCODED],
  ]
  for (const [args, input] of runs) {
    // stdin is the bin's to read.
    const r = input === undefined ? await runInProcess(args, { cwd: dir }) : runCli(args, { cwd: dir, input })
    const what = args.join(' ')
    assert.equal(r.status, 1, what)
    assertNoStack(r.stderr, what)
    assertNoLeak(`${what} stderr`, r.stderr)
    if (args.includes('--json')) assertNoLeak(`${what} stdout`, r.stdout)
    else assert.equal(r.stdout, '', what)
  }
}))

// The same for the formats of `encode --format`: values files, Secret manifests and JSON, broken in
// every way that check and decode report, and invalid YAML and JSON (whose parsers' own messages
// quote the source).
const item = (name: string, value: string): string => `    - name: ${name}\n      value: ${JSON.stringify(value)}`
const VALUES = [
  '# every finding, in a values file',
  'common:',
  '  extraEnv:',
  item('SECRET_URLSAFE', raw(b64(secret('??>>')).replace(/\+/g, '-').replace(/\//g, '_'))),
  item('SECRET_SPACES', raw(`${b64(secret())} ${b64(secret())}`)),
  item('SECRET_PADDING', raw(`${b64(secret('ab'))}=`)),
  item('SECRET_PLAIN', raw('Mk910zQxplain password')),
  item('SECRET_NOT_UTF8', b64(Buffer.concat([Buffer.from(secret()), Buffer.from([0xff])]))),
  item('SECRET_CONTROL', b64(secret('\u0001'))),
  item('SECRET_QUOTES_KEPT', b64(`"${secret()}"`)),
  item('SECRET_INLINE_KEPT', b64(`${secret()} # kept`)),
  item('SECRET_NEWLINE', b64(`${secret()}\n`)),
  item('SECRET_TEMPLATE', `{{ "${raw('Mk911zQxmacro')}" | base64encode }}`),
  item('SECRET_token', b64(secret())),
  item('SECRET_TOKEN', b64(secret())),
  item('SECRET_DUP', b64(secret())),
  item('SECRET_DUP', b64(secret())),
  item('secret_lower', b64(secret())),
  item('OTHER_VAR', raw('Mk912zQxother')),
  item('SECRET_', b64(secret())),
  item('SECRET_BAD/NAME', b64(secret())),
  item('SECRET_STALE', b64(secret())),
  item('SECRET_EXTRA', b64(secret())),
  item('SECRET_Case', b64(secret())),
  item('SECRET_UNUSED', b64(secret())),
  `    - name: SECRET_BOOL\n      value: ${raw('Mk913zQx')}\n      bad: [yes]`,
  `    - name: SECRET_MAP\n      value: {k: ${raw('Mk914zQxmap')}}`,
  `    - ${raw('Mk915zQxnotamap')}`,
  `    - {value: ${raw('Mk916zQxnoname')}}`,
  `    - name: SECRET_FROM\n      valueFrom: {secretKeyRef: {name: ${raw('Mk917zQxref')}, key: k}}`,
  `    - name: SECRET_SWALLOWED=${raw('Mk934zQxswallowed')}`,
  `extraEnv: [{name: SECRET_OLD, value: ${raw('Mk918zQxold')}}]`,
].join('\n') + '\n'
const SECRET = [
  'apiVersion: v1',
  'kind: Secret',
  'metadata: {name: kestra-secrets}',
  'data:',
  `  SECRET_ONCE: ${b64(secret())}`,
  `  SECRET_WORD: ${b64(raw('Mk919zQxpassword'))}`,
  `  SECRET_NOT_BASE64: ${raw('Mk920zQx not base64')}`,
  `  SECRET_BINARY: ${b64(Buffer.concat([Buffer.from(secret()), Buffer.from([0xfe])]))}`,
  `  SECRET_NUMBER: ${raw('1234567890')}`,
  `  SECRET_TWICE: ${b64(b64(secret()))}`,
  `  SECRET_TWICE: ${b64(b64(secret()))}`,
  'stringData:',
  `  SECRET_TEXT: ${raw('Mk921zQx plain text')}`,
  `  SECRET_GOOD: ${b64(secret())}`,
  `  SECRET_GLUED:"${raw('Mk935zQxglued')}"`,
].join('\n') + '\n'
const JSON_DOC = `{\n  "SECRET_A": "${raw('Mk922zQx!')}",\n  "SECRET_A": "${b64(secret())}",\n  "SECRET_N": 123456789,\n` +
  `  "SECRET_O": {"k": "${raw('Mk923zQxobject')}"},\n  "SECRET_B.C": "${b64(secret())}",\n` +
  `  "SECRET_J=${raw('Mk936zQxjson')}": ""\n}\n`
const BROKEN: Record<string, string> = {
  'unclosed.yaml': `extraEnv:\n  - name: SECRET_A\n    value: "${raw('Mk924zQxunclosed')}\n  - name: SECRET_B\n`,
  'dupkey.yaml': `extraEnv:\n  - name: SECRET_A\n    name: ${raw('Mk925zQxdupkey')}\n    value: ${b64(secret())}\n`,
  'tabs.yaml': `extraEnv:\n\t- name: SECRET_A\n\t  value: ${raw('Mk926zQxtabs')}\n`,
  'docs.yaml': `extraEnv: []\n---\nextraEnv: [{name: SECRET_A, value: ${raw('Mk927zQxdocs')}}]\n`,
  'flow.yaml': `{extraEnv: [{name: SECRET_A, value: ${raw('Mk928zQxflow')}}], : ]\n`,
  'broken.json': `{\n  "SECRET_A": "${b64(secret())}",\n  "SECRET_B": ${raw('Mk929zQxjson')}\n}\n`,
  'unterminated.json': `{\n  "SECRET_A": "${raw('Mk930zQxunterminated')}\n`,
  'alias.yaml': `common:\n  extraEnv:\n    - &a {name: SECRET_A, value: ${raw('Mk931zQxalias')}}\n    - *b\n`,
}

test('check and decode of values files, Secrets and JSON: no finding shows a value', async () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, 'values.yaml'), VALUES)
  writeFileSync(join(dir, 'secret.yaml'), SECRET)
  writeFileSync(join(dir, 'secrets.json'), JSON_DOC)
  writeFileSync(join(dir, '.env'), PLAIN)
  mkdirSync(join(dir, 'flows'))
  writeFileSync(join(dir, 'flows', 'f.yml'), FLOW)
  for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(dir, name), text)

  const json = runCli(['check', 'values.yaml', '--against', '.env', '--flows', 'flows', '--json'], { cwd: dir })
  assert.equal(json.status, 1)
  const report = JSON.parse(json.stdout) as { format: string; findings: Array<{ code: string }> }
  assert.equal(report.format, 'helm')
  const codes = new Set(report.findings.map((f) => f.code))
  for (const c of [
    'invalid-base64', 'not-utf8', 'not-printable', 'decoded-quoted', 'decoded-comment', 'trailing-newline', 'template',
    'case-collision', 'duplicate', 'prefix-case', 'not-prefixed', 'empty-name', 'invalid-name', 'format-invalid',
    'format-skipped', 'stale-secret', 'extra-secret', 'missing-secret', 'name-case-differs', 'flow-missing-secret',
    'unused-secret', 'dynamic-secret', 'defined-elsewhere', 'value-in-name',
  ]) assert.ok(codes.has(c), `the values file reaches ${c}`)

  for (const file of ['values.yaml', 'secret.yaml', 'secrets.json', ...Object.keys(BROKEN)]) {
    for (const extra of [[], ['--json'], ['--strict', '--against', '.env', '--flows', 'flows']]) {
      const r = await runInProcess(['check', file, ...extra], { cwd: dir })
      assert.equal(r.status, 1, `check ${file} ${extra.join(' ')}: ${r.stderr}`)
      assertNoLeak(`check ${file} ${extra.join(' ')}`, r.stdout + r.stderr)
      if (!extra.includes('--json')) assert.match(r.stderr, new RegExp(`^${file.replace('.', '\\.')}:\\d+: error: `, 'm'))
    }
    const d = await runInProcess(['decode', file, '-o', 'out.env'], { cwd: dir })
    assert.equal(d.status, 1, `decode ${file}`)
    assert.equal(d.stdout, '')
    assertNoLeak(`decode ${file}`, d.stderr)
  }
  // A document that decodes, with warnings only: stderr shows none of its values.
  writeFileSync(join(dir, 'warned.yaml'),
    `common:\n  extraEnv:\n${item('OTHER', raw('Mk932zQxkept'))}\n${item('SECRET_', b64(secret()))}\n` +
    `${item('SECRET_NEWLINE', b64(`${secret()}\n`))}\n    - name: SECRET_REF\n      valueFrom: {secretKeyRef: {name: ${raw('Mk933zQxref')}, key: k}}\n`)
  const warned = await runInProcess(['decode', 'warned.yaml', '-o', 'plain.env'], { cwd: dir })
  assert.equal(warned.status, 0, warned.stderr)
  assert.match(warned.stderr, /warning/)
  assertNoLeak('decode warned.yaml', warned.stdout + warned.stderr)
}))
