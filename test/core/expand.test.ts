// --expand holds to dotenv-expand 12 on what dotenv reads, where expand.ts says it does: unquoted
// and double-quoted values, names defined once, no process environment, substituted text without
// a `$` of its own. The differences it documents are tested one by one.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import dotenv from 'dotenv'
import dotenvExpand from 'dotenv-expand'
import fc from 'fast-check'
import { checkEncoded } from '../../src/core/check.js'
import { decodeEnv } from '../../src/core/decode.js'
import { encodeEnv } from '../../src/core/encode.js'
import { runs } from '../helpers.js'

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8')

/** What encode --expand gives each name, decoded back. */
function expanded(doc: string, env: Record<string, string> = {}): Record<string, string> {
  const r = encodeEnv(doc, { expand: true, env })
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  return Object.fromEntries(r.entries.map((e) => [e.name, unb64(e.encoded)]))
}

function byDotenvExpand(doc: string, processEnv: Record<string, string> = {}): Record<string, string> {
  const parsed = dotenv.parse(doc)
  return { ...dotenvExpand.expand({ parsed, processEnv: { ...processEnv } }).parsed }
}

const NAMES = ['A', 'B', 'HOST', 'USER_1', 'x']
const reference = fc.oneof(
  fc.constantFrom(...NAMES).map((n) => `$${n}`),
  fc.constantFrom(...NAMES).map((n) => `\${${n}}`),
  fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(':-', '-', ':+', '+'), fc.constantFrom('', 'def', 'd e')).map(([n, op, d]) => `\${${n}${op}${d}}`),
  fc.constantFrom('$', '$(cmd)', '${}', 'a$', '$1', '{x}'),
)
const piece = fc.oneof({ weight: 2, arbitrary: reference }, { weight: 3, arbitrary: fc.constantFrom('a', 'b-c', '/', ':', '@', 'é', ' ') })
const value = fc.array(piece, { maxLength: 5 }).map((p) => p.join('').trim())

test('encode --expand gives what dotenv-expand 12 gives, on unquoted and double-quoted values', () => {
  const doc = fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), value, fc.boolean()), { selector: ([n]) => n, maxLength: 5 })
    .map((lines) => lines.map(([n, v, quoted]) => `${n}=${quoted ? `"${v}"` : v}`).join('\n') + '\n')
  fc.assert(fc.property(doc, (d) => {
    // dotenv-expand expands what it substituted again, and inserts it through String.replace,
    // which reads `$$` and `$&` in it as patterns; expand.ts does neither. Leave out the documents
    // where a substitution leaves a reference behind, or inserts a text with a `$`.
    const ours = expanded(d)
    const referred = (name: string): boolean => Object.values(dotenv.parse(d)).some((v) => new RegExp(`\\$\\{?${name}\\b`).test(v))
    fc.pre(Object.values(ours).every((v) => !/\$[{A-Za-z_]/.test(v)))
    fc.pre(Object.entries(ours).every(([k, v]) => !v.includes('$') || !referred(k)))
    assert.deepEqual(ours, byDotenvExpand(d))
  }), { numRuns: runs(2000) })
})

test('encode --expand --allow-duplicates gives what dotenv-expand 12 gives: a name once, where it first appears, with its last value', () => {
  const doc = fc.array(fc.tuple(fc.constantFrom(...NAMES), value, fc.boolean()), { maxLength: 7 })
    .map((lines) => lines.map(([n, v, quoted]) => `${n}=${quoted ? `"${v}"` : v}`).join('\n') + '\n')
  fc.assert(fc.property(doc, (d) => {
    const r = encodeEnv(d, { expand: true, allowDuplicates: true })
    assert.ok(!r.diagnostics.some((x) => x.severity === 'error'), JSON.stringify(r.diagnostics))
    const ours = Object.fromEntries(r.entries.map((e) => [e.name, unb64(e.encoded)]))
    // The same documents left out as above: what dotenv-expand expands again, or inserts as patterns.
    const referred = (name: string): boolean => Object.values(dotenv.parse(d)).some((v) => new RegExp(`\\$\\{?${name}\\b`).test(v))
    fc.pre(Object.values(ours).every((v) => !/\$[{A-Za-z_]/.test(v)))
    fc.pre(Object.entries(ours).every(([k, v]) => !v.includes('$') || !referred(k)))
    assert.deepEqual(ours, byDotenvExpand(d))
    // check --against --expand reads the plain file's values the same way.
    const checked = checkEncoded(r.text, { against: { name: 'plain', text: d }, expand: true })
    assert.deepEqual(checked.findings.filter((f) => f.code === 'stale-secret' || f.code === 'missing-secret'), [])
  }), { numRuns: runs(2000) })
})

test('the cases of the issue, as dotenv-expand gives them', () => {
  const doc = 'HOST=db\nURL=postgres://${HOST}/db\nU2=$HOST:5432\nD=${NONE:-fallback}\nE=${NONE-x}\nP=${HOST:+yes}\nL=\\$HOST\nC=$(whoami)\n'
  assert.deepEqual(expanded(doc), byDotenvExpand(doc))
  assert.deepEqual(expanded(doc), {
    HOST: 'db', URL: 'postgres://db/db', U2: 'db:5432', D: 'fallback', E: 'x', P: 'yes', L: '$HOST', C: '$(whoami)',
  })
})

test('where it differs from dotenv-expand 12, on purpose: single quotes, the file before the environment, one pass', () => {
  // What a substitution leaves is not expanded again (dotenv-expand scans the value again).
  assert.deepEqual(expanded('A=$${NONE:-HOME}\n', { HOME: '/root' }), { A: '$HOME' })
  assert.deepEqual(byDotenvExpand('A=$${NONE:-HOME}\n', { HOME: '/root' }), { A: '/root' })
  // A substituted value is inserted as it is (dotenv-expand turns its `$$` into `$`).
  assert.deepEqual(expanded('P=a$$\nQ=${P}\n'), { P: 'a$$', Q: 'a$$' })
  assert.equal(byDotenvExpand('P=a$$\nQ=${P}\n').Q, 'a$')
  // Single-quoted values are left as they are (dotenv-expand expands them too).
  assert.deepEqual(expanded("HOST=db\nQ='${HOST}'\n"), { HOST: 'db', Q: '${HOST}' })
  // The environment fills in a name the file does not define...
  assert.deepEqual(expanded('URL=${HOST}/x\n', { HOST: 'env' }), { URL: 'env/x' })
  // ...but the file's own entry wins, and a value the file defines is never replaced.
  assert.deepEqual(expanded('HOST=file\nURL=${HOST}/x\n', { HOST: 'env' }), { HOST: 'file', URL: 'file/x' })
  assert.deepEqual(byDotenvExpand('HOST=file\nURL=${HOST}/x\n', { HOST: 'env' }), { HOST: 'env', URL: 'env/x' })
})

test('a name defined nowhere is a warning that shows it only when it is a variable; it expands to nothing', () => {
  const r = encodeEnv('A=x${MISSING}y\nB=pa$word\n', { expand: true })
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.key]), [['unresolved-reference', 1, 'A'], ['unresolved-reference', 2, 'B']])
  assert.ok(r.diagnostics.every((d) => !/MISSING|word/.test(d.message)))
  assert.deepEqual(r.entries.map((e) => unb64(e.encoded)), ['xy', 'pa'])
  // What an object inherits is no variable of the environment, whatever object holds it.
  for (const env of [{}, process.env, { ...process.env }]) {
    const inherited = encodeEnv('A=$constructor\nB=${toString}\nC=${__proto__:-d}\nD=${hasOwnProperty:+set}\n', { expand: true, env })
    assert.deepEqual(inherited.entries.map((e) => unb64(e.encoded)), ['', '', 'd', ''])
    assert.deepEqual(inherited.diagnostics.map((d) => [d.code, d.line]), [['unresolved-reference', 1], ['unresolved-reference', 2]])
  }
})

test('with --allow-duplicates, a reference between two definitions sees the last one, as dotenv-expand\'s object has it', () => {
  for (const [doc, want] of [
    ['A=1\nB=$A\nA=2\n', { A: '2', B: '2' }],
    ['A=$C\nC=1\nB=$A\nA=2\n', { C: '1', B: '2', A: '2' }],
    ['B=$A\nA=1\nA=2\n', { B: '', A: '2' }],
  ] as const) {
    const r = encodeEnv(doc, { expand: true, allowDuplicates: true })
    assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.name, unb64(e.encoded)])), want, doc)
    assert.deepEqual(byDotenvExpand(doc), want, doc)
  }
  // A name defined between the two is not there yet where dotenv-expand expands the last value: said so.
  const r = encodeEnv('A=$B\nB=1\nA=2$B\n', { expand: true, allowDuplicates: true })
  assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.name, unb64(e.encoded)])), byDotenvExpand('A=$B\nB=1\nA=2$B\n'))
  const unresolved = r.diagnostics.filter((d) => d.code === 'unresolved-reference')
  assert.deepEqual(unresolved.map((d) => [d.line, d.message]), [[3, 'the value of A refers to B that neither an entry before line 1 ' +
    '(the first definition of A, where dotenv-expand expands it) nor the environment defines: it is expanded to nothing']])
})

test('with --allow-duplicates, a name that refers to itself gets nothing from its earlier definitions, as for dotenv-expand', () => {
  const doc = 'A=x\nA=${A}y\nB=$A\n__proto__=p\nC=${__proto__:-c}\n'
  const r = encodeEnv(doc, { expand: true, allowDuplicates: true })
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  // (dotenv-expand reads ${__proto__} off its object: '[object Object]'.)
  const withoutProto = 'A=x\nA=${A}y\nB=$A\n'
  assert.deepEqual(Object.fromEntries(r.entries.filter((e) => e.name !== 'C').map((e) => [e.name, unb64(e.encoded)])), byDotenvExpand(withoutProto))
  assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.name, unb64(e.encoded)])), { A: 'y', B: 'y', C: 'c' })
  // check --against --expand reads the plain file's values the same way.
  const encoded = `SECRET_A=${b64('y')}\nSECRET_B=${b64('y')}\nSECRET_C=${b64('c')}\n`
  const checked = checkEncoded(encoded, { against: { name: 'plain', text: doc }, expand: true })
  assert.deepEqual(checked.findings.filter((f) => f.severity === 'error'), [])
})

test('decode --expand and check --against --expand expand as encode --expand does', () => {
  const encoded = `SECRET_HOST=${b64('db')}\nSECRET_URL=${b64('pg://${HOST}')}\n`
  assert.equal(decodeEnv(encoded, { expand: true }).text, "HOST=db\nURL=pg://db\n")
  assert.equal(decodeEnv(encoded).text, 'HOST=db\nURL=pg://${HOST}\n')
  const plain = 'HOST=db\nURL=pg://${HOST}\n'
  const written = encodeEnv(plain, { expand: true }).text
  assert.equal(checkEncoded(written, { against: { name: '.env', text: plain }, expand: true }).ok, true)
  assert.deepEqual(checkEncoded(written, { against: { name: '.env', text: plain } }).findings.map((f) => f.code), ['stale-secret'])
})

test('expansion inserts at most 16 MiB into one file: references that double each other are an error, not a gigabyte', () => {
  // A1 = A0 twice, A2 = A1 twice, ...: 40 lines would be 2^40 times the first value.
  const chain = ['A0=MARKzqMARKzq', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}=\${A${i}}\${A${i}}`)].join('\n') + '\n'
  const encoded = encodeEnv(chain, { expand: true })
  assert.equal(encoded.ok, false)
  const limits = encoded.diagnostics.filter((d) => d.code === 'expansion-limit')
  // A_i inserts 12 * 2^i characters, 12 * (2^(i+1) - 2) up to it: past 16 MiB at A20 (line 21).
  // Its value is kept as written, and the lines after it double that text until the rest of the
  // budget runs out too.
  assert.deepEqual(limits.map((d) => [d.line, d.key, d.severity]), [[21, 'A20', 'error'], [39, 'A38', 'error']])
  assert.ok(limits.every((d) => !d.message.includes('MARKzq')))
  const decoded = decodeEnv(chain.replace(/^(\w+)=(.*)$/gm, (_, k: string, v: string) => `SECRET_${k}=${b64(v)}`), { expand: true })
  assert.deepEqual(decoded.diagnostics.filter((d) => d.code === 'expansion-limit').map((d) => d.line), [21, 39])
  const checked = checkEncoded(encodeEnv(chain).text, { against: { name: '.env', text: chain }, expand: true })
  assert.deepEqual(checked.findings.filter((f) => f.code === 'expansion-limit').map((f) => [f.file, f.line]), [['.env', 21], ['.env', 39]])
  // Up to the limit it expands, exactly: a 1 MiB value referenced 16 times, in two entries. A
  // value refused costs nothing: what it would have inserted is not charged.
  const big = `A=${'x'.repeat(1024 * 1024)}\nB=${'${A}'.repeat(15)}\n`
  assert.equal(expanded(big).B?.length, 15 * 1024 * 1024)
  assert.equal(expanded(`${big}C=\${A}\n`).C?.length, 1024 * 1024)
  const over = encodeEnv(`${big}C=\${A}\${A}\nD=\${A}\n`, { expand: true })
  assert.deepEqual(over.diagnostics.map((d) => [d.code, d.line]), [['expansion-limit', 3]])
})
