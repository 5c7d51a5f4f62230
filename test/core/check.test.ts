// The pure core of check: every finding on inline strings and on the fixtures under
// test/fixtures/encoded/ (the shell loop's output among them) and test/fixtures/flows/.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkEncoded, type CheckResult } from '../../src/core/check.js'
import { encodeEnv } from '../../src/core/encode.js'
import { ROOT } from '../helpers.js'

const ENCODED = join(ROOT, 'test', 'fixtures', 'encoded')
const FLOWS = join(ROOT, 'test', 'fixtures', 'flows')
const fixture = (name: string): string => readFileSync(join(ENCODED, name), 'utf8')
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const found = (r: CheckResult) => r.findings.map((f) => [f.file, f.line ?? null, f.key ?? null, f.code, f.severity])

test('a file written by encode is ready', () => {
  const enc = encodeEnv('# c\nA="two words" # note\nexport B=x\nC=\nD="multi\nline"\nE=日本\n')
  const r = checkEncoded(enc.text)
  assert.deepEqual(r.findings, [])
  assert.ok(r.ok)
  assert.deepEqual(r.secrets.map((s) => [s.variable, s.name, s.line]),
    [['SECRET_A', 'A', 3], ['SECRET_B', 'B', 4], ['SECRET_C', 'C', 5], ['SECRET_D', 'D', 6], ['SECRET_E', 'E', 7]])
})

test('every problem of problems.env_encoded, one finding per line, with file, line and key', () => {
  const r = checkEncoded(fixture('problems.env_encoded'), { name: 'p' })
  assert.equal(r.ok, false)
  const E = 'error'
  const W = 'warning'
  assert.deepEqual(found(r).map(([, ...rest]) => rest), [
    [2, 'SECRET_URLSAFE', 'invalid-base64', E],
    [3, 'SECRET_SPACES', 'invalid-base64', E],
    [4, 'SECRET_PADDING', 'invalid-base64', E],
    [5, 'SECRET_QUOTED', 'quoted-value', E],
    [6, 'SECRET_COMMENT', 'inline-comment', E],
    [7, 'SECRET_EXPORTED', 'export-prefix', E],
    [8, 'SECRET_COLON', 'entry-form', E],
    [9, 'SECRET_NOT_UTF8', 'not-utf8', E],
    [10, 'SECRET_PLAIN', 'not-utf8', E],
    [11, 'SECRET_CONTROL', 'not-printable', W],
    [13, 'SECRET_TOKEN', 'case-collision', E],
    [15, 'SECRET_DUP', 'duplicate', E],
    [16, 'secret_lower', 'prefix-case', E],
    [17, 'PLAIN_VAR', 'not-prefixed', 'note'],
    [18, 'SECRET_', 'empty-name', E],
    [19, null, 'ignored-line', E],
    // LENGTH reads as base64 of text, so it is hidden (see displayName).
    [20, 'SECRET_<base64>', 'invalid-base64', E],
    [21, 'SECRET_QUOTES_KEPT', 'decoded-quoted', W],
    [22, 'SECRET_TRAILING_NL', 'trailing-newline', E],
    [23, 'SECRET_WITH.DOT', 'name-not-portable', W],
    [24, 'SECRET_SPACED', 'entry-form', E],
    [25, 'SECRET_TRAILING_SPACE', 'entry-form', E],
    [26, 'SECRET_HASH_NO_SPACE', 'inline-comment', E],
    [27, 'SECRET_DECODED_COMMENT', 'decoded-comment', W],
  ])
  assert.ok(r.findings.every((f) => f.file === 'p'))
  const byCode = new Map(r.findings.map((f) => [f.line, f.message]))
  assert.match(byCode.get(2) ?? '', /URL-safe/)
  assert.match(byCode.get(3) ?? '', /spaces/)
  assert.match(byCode.get(4) ?? '', /padding/)
  assert.match(byCode.get(10) ?? '', /ever encoded/)
  assert.match(byCode.get(20) ?? '', /cut short/)
})

test('the shell loop\'s output is not ready: junk lines, an empty name, kept quotes, a wrapped value', () => {
  const r = checkEncoded(fixture('loop.env_encoded'))
  assert.deepEqual(found(r).map(([, ...rest]) => rest), [
    [1, null, 'ignored-line', 'error'],
    [2, 'SECRET_POSTGRES_PASSWORD', 'decoded-quoted', 'warning'],
    [3, null, 'ignored-line', 'error'],
    [4, 'SECRET_', 'empty-name', 'error'],
    [6, 'SECRET_SIGNING_KEY', 'wrapped-value', 'error'],
  ])
  assert.match(r.findings[0]?.message ?? '', /shell loop/)
  // The continuation line is part of the wrapped value, not a finding (nor a secret) of its own.
  assert.deepEqual(r.secrets.map((s) => s.name), ['POSTGRES_PASSWORD', 'API_TOKEN', 'SIGNING_KEY'])
})

test('wrapped at 76 (GNU base64) and 64 (openssl) columns; a short line after a value is no wrap', () => {
  assert.deepEqual(found(checkEncoded(fixture('wrapped.env_encoded'))).map((f) => f[3]), ['wrapped-value'])
  const long = b64('x'.repeat(100))
  const openssl = `SECRET_A=${(long.match(/.{1,64}/g) ?? []).join('\n')}\nSECRET_B=eA==\n`
  assert.deepEqual(found(checkEncoded(openssl)).map((f) => [f[1], f[3]]), [[1, 'wrapped-value']])
  assert.match(checkEncoded(openssl).findings[0]?.message ?? '', /wrapped over 3 lines/)
  // A 76-character value followed by a bare name is a value and a junk line, not a wrap of two.
  const notWrapped = `SECRET_A=${b64('y'.repeat(57))}\nSECRET_B=eA==\nabc\n`
  assert.deepEqual(found(checkEncoded(notWrapped)).map((f) => [f[1], f[3]]), [[3, 'ignored-line']])
})

test('the {{ ... | base64encode }} form from the docs', () => {
  const r = checkEncoded(fixture('macro.env_encoded'))
  assert.deepEqual(found(r).map((f) => [f[1], f[2], f[3]]), [[2, 'SECRET_MY_SECRET', 'template']])
})

test('echo without -n: a one-line value ends with a line break, an error; --against a plain file that holds it, none', () => {
  const r = checkEncoded(fixture('echo-newline.env_encoded'))
  assert.equal(r.ok, false)
  assert.deepEqual(found(r).map((f) => [f[3], f[4]]), [['trailing-newline', 'error'], ['trailing-newline', 'error']])
  const against = checkEncoded(`SECRET_ADMIN=${b64('admin\n')}\n`, { against: { name: 'p', text: 'ADMIN="admin\\n"\n' } })
  assert.deepEqual(against.findings, [])
})

test('line endings and a byte-order mark: only one inside the file is a problem', () => {
  assert.deepEqual(checkEncoded(`\uFEFFSECRET_A=${b64('a')}\r\nSECRET_B=${b64('b')}\r\n`).findings, [])
  const r = checkEncoded(`SECRET_A=${b64('a')}\n\uFEFFSECRET_B=${b64('b')}\n`)
  assert.deepEqual(found(r).map((f) => [f[1], f[2], f[3]]), [[2, 'SECRET_B', 'entry-form']])
  assert.match(r.findings[0]?.message ?? '', /byte-order mark/)
})

test('no secret, a plain .env, and binary input: not ready', () => {
  for (const text of ['', '# nothing\n', '\n\n# only comments\n']) {
    const r = checkEncoded(text)
    assert.equal(r.ok, false, JSON.stringify(text))
    assert.ok(found(r).some((f) => f[3] === 'no-secrets'), JSON.stringify(text))
  }
  // A plain .env given by mistake: one finding, not one per entry.
  const plain = checkEncoded('DB_PASSWORD="x y"\nexport TOKEN=abc # note\n', { name: '.env' })
  assert.deepEqual(found(plain).map((f) => [f[0], f[3], f[4]]), [['.env', 'plain-env', 'error']])
  // Skipped lines too say nothing of a plain .env; but a name with the prefix, however late,
  // shows it is none: then every line before it is reported as well, in order.
  const junk = checkEncoded('junk line\nA=1\nB=2\n', { name: '.env' })
  assert.deepEqual(found(junk).map((f) => f[3]), ['plain-env'])
  const late = checkEncoded(`junk line\nA=1\nexport B=2\nsecret_C=${b64('c')}\nSECRET_D=${b64('d')}\n`, { name: 'e' })
  assert.deepEqual(found(late).map((f) => [f[1], f[3]]), [
    [1, 'ignored-line'], [2, 'not-prefixed'], [3, 'not-prefixed'], [4, 'prefix-case']])
  assert.deepEqual(found(checkEncoded('SECRET_A=eA==\0')).map((f) => [f[1], f[3], f[4]]), [[1, 'binary', 'error']])
})

test('--against: the encoded file holds exactly the plain file\'s secrets', () => {
  const plain = '# plain\nSAME=1\nCHANGED=new\nMISSING=x\nCase_Differs=c\n'
  const encoded = `SECRET_SAME=${b64('1')}\nSECRET_CHANGED=${b64('old')}\nSECRET_EXTRA=${b64('e')}\nSECRET_CASE_DIFFERS=${b64('c')}\n`
  const r = checkEncoded(encoded, { name: 'enc', against: { name: 'plain', text: plain } })
  assert.deepEqual(found(r), [
    ['enc', 2, 'SECRET_CHANGED', 'stale-secret', 'error'],
    ['enc', 3, 'SECRET_EXTRA', 'extra-secret', 'error'],
    ['enc', 4, 'SECRET_CASE_DIFFERS', 'name-case-differs', 'warning'],
    ['plain', 4, 'MISSING', 'missing-secret', 'error'],
  ])
  const good = checkEncoded(fixture('good.env_encoded'), { against: { name: 'good.env', text: fixture('good.env') } })
  assert.deepEqual(good.findings, [])
  // What encode writes always matches its input.
  const src = fixture('good.env')
  assert.deepEqual(checkEncoded(encodeEnv(src).text, { against: { name: '.env', text: src } }).findings, [])
})

test('--against compares what dotenv reads: the last definition, __proto__ left out', () => {
  const plain = 'A=first\nA=last\n__proto__=x\n'
  assert.deepEqual(checkEncoded(`SECRET_A=${b64('last')}\n`, { against: { name: 'p', text: plain } }).findings, [])
  assert.equal(checkEncoded(`SECRET_A=${b64('first')}\n`, { against: { name: 'p', text: plain } }).findings[0]?.code, 'stale-secret')
})

test('SECRET___proto__: Kestra reads it, but no .env can hold __proto__: a warning, in every format', () => {
  const r = checkEncoded(`SECRET___proto__=${b64('p')}\nSECRET_A=${b64('a')}\n`, { name: 'e' })
  assert.ok(r.ok)
  assert.deepEqual(found(r), [['e', 1, 'SECRET___proto__', 'ignored-name', 'warning']])
  assert.equal(r.findings[0]?.message,
    'dotenv ignores the name __proto__, so SECRET___proto__ cannot come from a .env or be decoded into one: rename it')
  assert.deepEqual(r.secrets.map((s) => s.name), ['__PROTO__', 'A'])
  const json = checkEncoded(`{"SECRET___proto__": "${b64('p')}"}`, { name: 'j' })
  assert.deepEqual(found(json), [['j', 1, 'SECRET___proto__', 'ignored-name', 'warning']])
  // Another case is another name, which dotenv reads.
  assert.deepEqual(checkEncoded(`SECRET___PROTO__=${b64('p')}\n`).findings, [])
  // Against a plain file, the warning alone: "add it to .env" would not help, dotenv drops it there.
  const against = checkEncoded(`SECRET___proto__=${b64('p')}\nSECRET_A=${b64('a')}\nSECRET_B=${b64('b')}\n`,
    { name: 'e', against: { name: 'p', text: '__proto__=p\nA=a\n' } })
  assert.deepEqual(found(against), [['e', 1, 'SECRET___proto__', 'ignored-name', 'warning'], ['e', 3, 'SECRET_B', 'extra-secret', 'error']])
})

test('--flows: names flows use and the file lacks are errors; unused secrets are notes', () => {
  const flows = ['hello.yml', 'team/etl/etl.yaml'].map((f) => ({ name: `flows/${f}`, text: readFileSync(join(FLOWS, f), 'utf8') }))
  const r = checkEncoded(fixture('flows.env_encoded'), { name: 'flows.env_encoded', flows: { root: 'flows', files: flows } })
  assert.deepEqual(found(r), [
    ['flows.env_encoded', 7, 'SECRET_UNUSED', 'unused-secret', 'note'],
    ['flows/hello.yml', 16, 'api_token', 'ignored-namespace', 'note'],
    ['flows/hello.yml', 20, 'MISSING_ONE', 'flow-missing-secret', 'error'],
    ['flows/team/etl/etl.yaml', 16, 'DB_HOST', 'flow-missing-secret', 'error'],
    ['flows/team/etl/etl.yaml', 19, null, 'dynamic-secret', 'note'],
  ])
  assert.equal(r.ok, false)
  const none = checkEncoded(fixture('flows.env_encoded'), { flows: { root: 'empty', files: [] } })
  assert.deepEqual(found(none), [['empty', null, null, 'no-flows', 'warning']])
})

test('--flows and --against together', () => {
  const flow = { name: 'f.yml', text: "x: \"{{ secret('a') }}\"\n" }
  const r = checkEncoded(`SECRET_A=${b64('1')}\n`, { against: { name: 'p', text: 'A=2\n' }, flows: { root: '.', files: [flow] } })
  assert.deepEqual(found(r).map((f) => f[3]), ['stale-secret'])
})

test('the template test agrees with its definition, and stays linear on a value full of {{', async () => {
  const { looksLikeTemplate } = await import('../../src/core/kestra.js')
  const fc = (await import('fast-check')).default
  const definition = /\{\{[\s\S]*\}\}|\{%[\s\S]*%\}/
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('{', '}', '%', 'x', '\n'), maxLength: 12 }),
    (v) => looksLikeTemplate(v) === definition.test(v)), { numRuns: 5000 })
  // The regular expression takes minutes on this; the test must end at once.
  assert.equal(looksLikeTemplate('{{'.repeat(500_000)), false)
})

test('several inputs are one deployment: a name in two of them is an error with both places; --against and --flows see them all', () => {
  const values = { name: 'values.yaml', text: `SECRET_A=${b64('a')}\nSECRET_B=${b64('b')}\n` }
  const secret = { name: 'secret.env', text: `SECRET_C=${b64('c')}\nSECRET_a=${b64('a')}\n` }
  const r = checkEncoded([values, secret], { against: { name: '.env', text: 'A=a\nB=b\nC=c\n' } })
  assert.deepEqual(found(r).filter((f) => f[4] === 'error').map((f) => [f[0], f[1], f[2], f[3]]),
    [['secret.env', 2, 'SECRET_a', 'defined-twice']])
  assert.match(r.findings.find((f) => f.code === 'defined-twice')?.message ?? '', /is also defined in values\.yaml \(line 1\), as SECRET_A/)
  assert.deepEqual(r.inputs, [{ name: 'values.yaml', format: 'env', secrets: 2 }, { name: 'secret.env', format: 'env', secrets: 2 }])
  const missing = checkEncoded([values, { name: 's', text: `SECRET_C=${b64('c')}\n` }], { against: { name: '.env', text: 'A=a\nB=b\nC=c\nD=d\n' } })
  assert.deepEqual(found(missing).map((f) => [f[0], f[3]]), [['.env', 'missing-secret']])
  assert.match(missing.findings[0]?.message ?? '', /D is not in values\.yaml and s \(no SECRET_D\)/)
})
