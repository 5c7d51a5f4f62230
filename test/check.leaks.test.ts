// Secrets are the payload: every diagnostic of check and decode runs here on values that carry
// unique markers, and no marker, no encoded value and no raw value may appear on stderr, nor on
// stdout (except decode's result, which is the decoded .env itself).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, withTempDir } from './helpers.js'

let n = 0
/** Every string that must never be printed. */
const forbidden: string[] = []
/** A plaintext value with a marker of its own. */
function secret(text = ''): string {
  const value = `Mk${String(++n).padStart(3, '0')}zQx${text}`
  forbidden.push(value, `Mk${String(n).padStart(3, '0')}zQx`)
  return value
}
function b64(bytes: string | Buffer): string {
  const encoded = Buffer.from(bytes).toString('base64')
  forbidden.push(encoded.replace(/=+$/, ''))
  return encoded
}
/** A raw value as it stands in the file (not base64). */
function raw(text: string): string {
  forbidden.push(text)
  return text
}

function assertNoLeak(what: string, output: string): void {
  for (const f of forbidden) assert.ok(!output.includes(f), `${what} shows ${JSON.stringify(f)}`)
  assert.doesNotMatch(output, /Mk\d{3}zQx/, `${what} shows a marker`)
}

const long = secret('x'.repeat(90))
const wrapped = (b64(long).match(/.{1,76}/g) ?? []).join('\n')
forbidden.push(...wrapped.split('\n'))

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

test('check: no finding, in lines or in JSON, shows a value', () => withTempDir((dir) => {
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
    const r = runCli([...args, ...extra], { cwd: dir })
    assert.equal(r.status, 1)
    assert.equal(r.stdout, '')
    assertNoLeak('check stderr', r.stderr)
  }
  // And the findings that need a file of their own.
  writeFileSync(join(dir, 'binary'), `SECRET_A=${b64(secret())}\n\0${raw('Mk904zQxafternul')}`)
  writeFileSync(join(dir, 'empty'), '# Mk905zQx is in a comment only\n')
  mkdirSync(join(dir, 'noflows'))
  for (const file of ['binary', 'empty']) {
    const r = runCli(['check', file, '--flows', 'noflows'], { cwd: dir })
    assertNoLeak(`check ${file}`, r.stdout + r.stderr)
  }
}))

test('decode: no diagnostic shows a value; stdout holds the result only on success', () => withTempDir((dir) => {
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
    const r = runCli(['decode', name], { cwd: dir })
    assert.equal(r.status, 1, name)
    assert.equal(r.stdout, '', name)
    assertNoLeak(`decode ${name}`, r.stderr)
  }
  const warned = [
    `OTHER=${raw('Mk907zQxkept')}`,
    `SECRET_=${b64(secret())}`,
    `SECRET_# junk=${b64(secret())}`,
    `SECRET_WRAPPED=${wrapped}`,
    `SECRET_OK=${b64(secret())}`,
  ].join('\n') + '\n'
  writeFileSync(join(dir, 'warned'), warned)
  // In a git work tree, so that the warning about a tracked plain-text output runs too.
  const git = spawnSync('git', ['init', '-q', dir]).status === 0
  const r = runCli(['decode', 'warned', '-o', 'plain.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  for (const code of ['not start with SECRET_', 'no name after the prefix', 'dotenv does not read', 'wrapped']) {
    assert.ok(r.stderr.includes(code), code)
  }
  if (git) assert.match(r.stderr, /plain\.env: warning: is in a git work tree/)
  assertNoLeak('decode warnings', r.stdout + r.stderr)
  const strict = runCli(['decode', 'warned', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assertNoLeak('decode --strict', strict.stdout + strict.stderr)
  const empty = runCli(['decode', '-'], { cwd: dir, input: '# Mk908zQx\n' })
  assert.match(empty.stderr, /no KEY=VALUE entries/)
  assertNoLeak('decode of an empty file', empty.stderr)
}))
