// Black-box runs of the built bin: `kestra-secrets check`, with --against, --flows and --json.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEnv } from '../../src/core/decode.js'
import { BIN, ROOT, runCli, withTempDir } from '../helpers.js'

const FX = 'test/fixtures/encoded'
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

test('a ready file: exit 0, nothing on stdout, one summary line', () => {
  const r = runCli(['check', `${FX}/good.env_encoded`])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, `ready for Kestra: 11 secrets in ${FX}/good.env_encoded\n`)
})

test('with no argument it checks .env_encoded; - reads stdin', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('a')}\n`)
  const r = runCli(['check'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stderr, 'ready for Kestra: 1 secret in .env_encoded\n')
  const stdin = runCli(['check', '-'], { cwd: dir, input: 'SECRET_A=-_-_\n' })
  assert.equal(stdin.status, 1)
  assert.match(stdin.stderr, /^<stdin>:1: error: the value of SECRET_A uses the URL-safe/)
  mkdirSync(join(dir, 'empty'))
  const missing = runCli(['check'], { cwd: join(dir, 'empty') })
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, '.env_encoded: error: no such file\n')
}))

test('a file that is not ready: exit 1, one line per problem with file, line and name', () => {
  const r = runCli(['check', `${FX}/problems.env_encoded`])
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 25)
  for (const l of lines.slice(0, -1)) assert.match(l, /^test\/fixtures\/encoded\/problems\.env_encoded:\d+: (error|warning|note): /)
  // The ordinary variable beside the secrets is a note: Kestra's container may need it.
  assert.match(r.stderr, /:17: note: PLAIN_VAR does not start with SECRET_, so Kestra reads it as an ordinary variable/)
  assert.equal(lines.at(-1), `not ready for Kestra: 22 secrets in ${FX}/problems.env_encoded: 19 errors, 4 warnings, 1 note`)
  assert.doesNotMatch(r.stderr, /\n\s+at /)
})

test('warnings pass, --strict fails them; --quiet prints errors only', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'quoted_encoded'), `SECRET_A=${b64('"in quotes"')}\nSECRET_B=${b64('x # y')}\n`)
  const r = runCli(['check', 'quoted_encoded'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.match(r.stderr, /:1: warning: the value of SECRET_A decodes to text in quotes/)
  assert.match(r.stderr, /ready for Kestra: 2 secrets in .* \(0 errors, 2 warnings, 0 notes\)\n$/)
  const strict = runCli(['check', 'quoted_encoded', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /:1: error: the value of SECRET_A/)
  assert.match(strict.stderr, /not ready for Kestra: .*: 2 errors, 0 warnings, 0 notes \(--strict made 2 warnings errors\)\n$/)
  assert.equal(runCli(['check', 'quoted_encoded', '-q'], { cwd: dir }).stderr, '')
  // What the plain file holds is what the user wrote: no guess about it, not even with --strict.
  writeFileSync(join(dir, 'plain'), 'A=\'"in quotes"\'\nB="x # y"\n')
  assert.equal(runCli(['check', 'quoted_encoded', '--against', 'plain', '--strict'], { cwd: dir }).status, 0)
  const quietErrors = runCli(['check', `${FX}/macro.env_encoded`, '--quiet'])
  assert.equal(quietErrors.status, 1)
  assert.equal(quietErrors.stderr.trim().split('\n').length, 1)
}))

test('SECRET___proto__ is a warning: ready, but not with --strict', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'e'), `SECRET___proto__=${b64('p')}\n`)
  const r = runCli(['check', 'e'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stderr, 'e:1: warning: dotenv ignores the name __proto__, so SECRET___proto__ cannot come from a .env or be ' +
    'decoded into one: rename it\nready for Kestra: 1 secret in e (0 errors, 1 warning, 0 notes)\n')
  assert.equal(runCli(['check', 'e', '--strict'], { cwd: dir }).status, 1)
}))

test('a one-line value that ends with a line break is an error, with the fix; a CR is blamed on CRLF', () => withTempDir((dir) => {
  // The published Kubernetes example: `echo admin | base64`, which Kestra reads as admin and a line break.
  const r = runCli(['check', `${FX}/echo-newline.env_encoded`])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /:1: error: the value of SECRET_ADMIN decodes to text that ends with a line break, .*`echo -n` or `printf %s`/)
  writeFileSync(join(dir, 'e'), `SECRET_PEM=${b64('-----BEGIN KEY-----\nabc\n-----END KEY-----\n')}\nSECRET_CR=${b64('admin\r\n')}\n`)
  const pem = runCli(['check', 'e'], { cwd: dir })
  assert.equal(pem.status, 1)
  assert.doesNotMatch(pem.stderr, /SECRET_PEM/)
  assert.match(pem.stderr, /^e:2: error: the value of SECRET_CR .*carriage return.*Windows \(CRLF\) line ends/m)
  assert.doesNotMatch(pem.stderr, /SECRET_CR.*echo/)
}))

test('the shell loop\'s output and the docs\' macro form fail the check', () => {
  const loop = runCli(['check', `${FX}/loop.env_encoded`])
  assert.equal(loop.status, 1)
  assert.match(loop.stderr, /loop\.env_encoded:6: error: the value of SECRET_SIGNING_KEY is wrapped over 2 lines/)
  const macro = runCli(['check', `${FX}/macro.env_encoded`])
  assert.equal(macro.status, 1)
  assert.match(macro.stderr, /macro\.env_encoded:2: error: the value of SECRET_MY_SECRET is a \{\{ \.\.\. \}\} template/)
})

test('--json prints the findings on stdout, and nothing on stderr', () => {
  const r = runCli(['check', `${FX}/macro.env_encoded`, '--json'])
  assert.equal(r.status, 1)
  assert.equal(r.stderr, '')
  const report = JSON.parse(r.stdout) as Record<string, unknown>
  assert.deepEqual(report, {
    ok: false,
    strict: false,
    file: `${FX}/macro.env_encoded`,
    format: 'env',
    inputs: [{ name: `${FX}/macro.env_encoded`, format: 'env', secrets: 2 }],
    mounts: [],
    against: null,
    flows: null,
    secrets: 2,
    errors: 1,
    warnings: 0,
    notes: 0,
    findings: [{
      file: `${FX}/macro.env_encoded`,
      line: 2,
      key: 'SECRET_MY_SECRET',
      code: 'template',
      severity: 'error',
      message: 'the value of SECRET_MY_SECRET is a {{ ... }} template, which nothing renders in an env file, so ' +
        'Kestra drops the secret: put the plain value in a .env and run kestra-secrets encode',
    }],
  })
  const ok = runCli(['check', `${FX}/good.env_encoded`, '--json'])
  assert.equal(ok.status, 0)
  assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true)
  const strict = JSON.parse(runCli(['check', `${FX}/echo-newline.env_encoded`, '--json', '--strict']).stdout) as
    { ok: boolean; errors: number; findings: Array<{ severity: string }> }
  assert.equal(strict.ok, false)
  assert.equal(strict.errors, 2)
  assert.ok(strict.findings.every((f) => f.severity === 'error'))
})

test('--against: up to date exits 0; missing, extra and changed secrets exit 1, by name only', () => withTempDir((dir) => {
  const ok = runCli(['check', `${FX}/good.env_encoded`, '--against', `${FX}/good.env`])
  assert.equal(ok.status, 0, ok.stderr)
  assert.equal(ok.stderr, `ready for Kestra: 11 secrets in ${FX}/good.env_encoded checked against ${FX}/good.env\n`)
  writeFileSync(join(dir, '.env'), 'KEPT=1\nCHANGED=new\nADDED=x\n')
  writeFileSync(join(dir, '.env_encoded'), `SECRET_KEPT=${b64('1')}\nSECRET_CHANGED=${b64('old')}\nSECRET_GONE=${b64('g')}\n`)
  const r = runCli(['check', '--against', '.env'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stderr,
    '.env_encoded:2: error: SECRET_CHANGED holds a different value than CHANGED in .env (line 2): encode .env again\n' +
    '.env_encoded:3: error: SECRET_GONE is not in .env: remove it, or add it to .env and encode again\n' +
    '.env:3: error: ADDED is not in .env_encoded (no SECRET_ADDED): encode .env again\n' +
    'not ready for Kestra: 3 secrets in .env_encoded checked against .env: 3 errors, 0 warnings, 0 notes\n')
  const both = runCli(['check', '-', '--against', '-'], { cwd: dir })
  assert.equal(both.status, 2)
  assert.match(both.stderr, /only one input can be read from stdin/)
  const missing = runCli(['check', '--against', 'nope'], { cwd: dir })
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, 'nope: error: no such file\n')
}))

test('--flows: a flow nested too deeply is one error at its line, and the other flows are still read', () => withTempDir((dir) => {
  mkdirSync(join(dir, 'flows'))
  const levels = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 2)}b:`).join('\n')
  writeFileSync(join(dir, 'flows', 'a.yml'), `id: a\nnamespace: n\ntasks:\n${levels}\nlater: 1\n`)
  writeFileSync(join(dir, 'flows', 'b.yml'), `id: b\nnamespace: n\ntasks:\n  - message: "{{ secret('A') }}"\n`)
  writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('x')}\n`)
  const r = runCli(['check', '--flows', 'flows'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'flows/a.yml:103: error: nested more than 100 levels deep, which no flow is and which is not read: ' +
    'no secret() call of this file was checked\n' +
    'not ready for Kestra: 1 secret in .env_encoded checked with the flows in flows: 1 error, 0 warnings, 0 notes\n')
}))

test('--flows: missing secrets are errors at the flow\'s line, unused ones notes; works with --against', () => {
  const r = runCli(['check', `${FX}/flows.env_encoded`, '--flows', 'test/fixtures/flows'])
  assert.equal(r.status, 1)
  assert.equal(r.stderr,
    `${FX}/flows.env_encoded:7: note: SECRET_UNUSED is not used by any flow in test/fixtures/flows\n` +
    'test/fixtures/flows/hello.yml:16: note: secret(\'api_token\') is called with namespace= (as is 1 more call in this file), ' +
    'which the environment secret backend of Kestra\'s open-source edition ignores: every namespace reads the same SECRET_ variables\n' +
    'test/fixtures/flows/hello.yml:20: error: secret(\'MISSING_ONE\') is used here but test/fixtures/encoded/flows.env_encoded ' +
    'has no SECRET_MISSING_ONE: the flow would fail with "Cannot find secret"\n' +
    'test/fixtures/flows/team/etl/etl.yaml:16: error: secret(\'DB_HOST\') is used here but test/fixtures/encoded/flows.env_encoded ' +
    'has no SECRET_DB_HOST: the flow would fail with "Cannot find secret"\n' +
    'test/fixtures/flows/team/etl/etl.yaml:19: note: secret() with a name computed at run time: it cannot be checked here\n' +
    `not ready for Kestra: 6 secrets in ${FX}/flows.env_encoded checked with the flows in test/fixtures/flows: 2 errors, 0 warnings, 3 notes\n`)
  const one = runCli(['check', `${FX}/flows.env_encoded`, '--flows', 'test/fixtures/flows/hello.yml', '-q'])
  assert.equal(one.status, 1)
  assert.equal(one.stderr.trim().split('\n').length, 1)
  const notesOnly = withTempDir((dir) => {
    writeFileSync(join(dir, 'f.yaml'), "x: \"{{ secret('A') }}\"\n")
    writeFileSync(join(dir, '.env'), 'A=a\nB=b\n')
    writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('a')}\nSECRET_B=${b64('b')}\n`)
    return runCli(['check', '--against', '.env', '--flows', '.', '--strict'], { cwd: dir })
  })
  assert.equal(notesOnly.status, 0, 'notes never fail, not even with --strict')
  assert.match(notesOnly.stderr, /^\.env_encoded:2: note: SECRET_B is not used by any flow in \.\n/)
  const none = runCli(['check', `${FX}/flows.env_encoded`, '--flows', 'nope'])
  assert.equal(none.status, 1)
  assert.equal(none.stderr, 'nope: error: no such file\n')
})

test('check --help lists its options; usage errors exit 2', () => {
  const help = runCli(['check', '--help'])
  assert.equal(help.status, 0)
  for (const flag of ['--against <file>', '--flows <dir>', '--json', '--strict', '-q, --quiet']) assert.ok(help.stdout.includes(flag), flag)
  assert.equal(runCli(['check', '--flows']).status, 2)
  assert.equal(runCli(['check', '-', '-']).status, 2)
  // It was `-: error: no such file`.
  const flows = runCli(['check', 'p.enc', '--flows', '-'], { input: 'A=1\n' })
  assert.equal(flows.status, 2)
  assert.equal(flows.stderr, 'kestra-secrets: error: --flows does not read stdin: it takes the path of a folder (or a file) of flows: give that path\n')
})

test('the same file given twice, under any spelling of its path, is a usage error', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'p.enc'), 'SECRET_A=MQ==\n')
  mkdirSync(join(dir, 'a'))
  symlinkSync('p.enc', join(dir, 'link.enc'))
  linkSync(join(dir, 'p.enc'), join(dir, 'hard.enc'))
  const again = (other: string): string => `kestra-secrets: error: p.enc and ${other} are the same file, given twice: give each input once\n`
  const cases: Array<[string[], string]> = [
    // Once ready with 2 secrets, while ./p.enc was an error for each secret "also defined" in p.enc.
    [['p.enc', 'p.enc'], 'kestra-secrets: error: p.enc is given twice: give each input once\n'],
    [['p.enc', './p.enc'], again('./p.enc')],
    [['p.enc', 'a/../p.enc'], again('a/../p.enc')],
    [['p.enc', 'link.enc'], again('link.enc')],
    [['p.enc', 'hard.enc'], again('hard.enc')],
  ]
  for (const [files, message] of cases) {
    const r = runCli(['check', ...files], { cwd: dir })
    assert.equal(r.status, 2, files.join(' '))
    assert.equal(r.stderr, message, files.join(' '))
    assert.equal(r.stdout, '')
  }
  // Stdin redirected from the file (`check p.enc - < p.enc`) is that file too.
  const stdin = openSync(join(dir, 'p.enc'), 'r')
  try {
    const r = spawnSync(process.execPath, [BIN, 'check', 'p.enc', '-'], { cwd: dir, stdio: [stdin, 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    assert.equal(r.status, 2)
    assert.equal(r.stderr, again('stdin'))
  } finally {
    closeSync(stdin)
  }
  // Stdin from another file is another input.
  const piped = runCli(['check', 'p.enc', '-'], { cwd: dir, input: 'SECRET_B=Mg==\n' })
  assert.equal(piped.status, 0, piped.stderr)
}))

test('the README\'s check and decode examples give the output they show', () => withTempDir((dir) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const shown = /\$ kestra-secrets check\n([\s\S]*?)\n\n/.exec(readme)?.[1]
  assert.ok(shown)
  const token = b64('t'.repeat(80))
  writeFileSync(join(dir, '.env_encoded'), `# Kestra\nSECRET_DB_USER=${b64('kestra')}\n` +
    `SECRET_API_TOKEN=${token.slice(0, 76)}\n${token.slice(76)}\nSECRET_PASSWORD=password\nSECRET_HOST=${b64('db')}\n`)
  const r = runCli(['check'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, `${shown}\n`)
  const call = /decodeEnv\('(.*)'\)\.text +\/\/ '(.*)'/.exec(readme)
  assert.ok(call?.[1] && call[2])
  const unescape = (s: string): string => JSON.parse(`"${s}"`) as string
  assert.equal(decodeEnv(unescape(call[1])).text, unescape(call[2]))
}))

test('check A B reads both as one deployment; --json says so, and has an error object when an input cannot be read', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'a_encoded'), `SECRET_A=${b64('a')}\n`)
  writeFileSync(join(dir, 'b_encoded'), `SECRET_B=${b64('b')}\nSECRET_A=${b64('again')}\n`)
  const r = runCli(['check', 'a_encoded', 'b_encoded'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'b_encoded:2: error: SECRET_A is also defined in a_encoded (line 1): Kestra would get one of them: keep it in one input\n' +
    'not ready for Kestra: 3 secrets in a_encoded and b_encoded: 1 error, 0 warnings, 0 notes\n')
  writeFileSync(join(dir, 'b_encoded'), `SECRET_B=${b64('b')}\n`)
  const json = runCli(['check', 'a_encoded', 'b_encoded', '--json'], { cwd: dir })
  assert.equal(json.status, 0, json.stderr)
  assert.deepEqual((JSON.parse(json.stdout) as { inputs: unknown }).inputs,
    [{ name: 'a_encoded', format: 'env', secrets: 1 }, { name: 'b_encoded', format: 'env', secrets: 1 }])
  const unreadable = runCli(['check', 'a_encoded', 'nope', '--json'], { cwd: dir })
  assert.equal(unreadable.status, 1)
  assert.deepEqual(JSON.parse(unreadable.stdout), { ok: false, strict: false, error: { file: 'nope', message: 'no such file' } })
  assert.equal(unreadable.stderr, 'nope: error: no such file\n')
  // The plain .env given by mistake: one line that says what was meant.
  writeFileSync(join(dir, '.env'), 'A=1\nB="two"\n')
  const plain = runCli(['check', '.env'], { cwd: dir })
  assert.equal(plain.status, 1)
  assert.match(plain.stderr, /^\.env: error: this looks like a plain \.env.*: did you mean `kestra-secrets check \.env_encoded --against \.env`\?\n/)
  assert.equal(plain.stderr.trim().split('\n').length, 2)
}))
