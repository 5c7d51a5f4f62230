// Black-box runs of the built bin: `kestra-secrets decode`.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { ROOT, runCli, withTempDir } from '../helpers.js'

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const ENCODED = `# db\nSECRET_DB_PASSWORD=${b64('hunter 2')}\n\nSECRET_PEM=${b64('a\nb')}\nSECRET_HASH=${b64('x#y')}\n`
const PLAIN = "# db\nDB_PASSWORD=hunter 2\n\nPEM=\"a\\nb\"\nHASH='x#y'\n"
const mode = (p: string): number => statSync(p).mode & 0o777

function assertCleanFailure(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace')
  assert.doesNotMatch(stderr, /internal error/)
  assert.ok(stderr.trim().length > 0)
}

test('decode with no argument reads .env_encoded and prints the .env on stdout', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  const r = runCli(['decode'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, PLAIN)
  assert.equal(r.stderr, 'decoded 3 secrets from .env_encoded to stdout\n')
  assert.deepEqual(readdirSync(dir), ['.env_encoded'], 'nothing written')
}))

test('-o writes the file atomically with mode 0600; -o - prints; - reads stdin', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'in'), ENCODED)
  mkdirSync(join(dir, 'out'))
  const o = runCli(['decode', 'in', '-o', 'out/.env'], { cwd: dir })
  assert.equal(o.status, 0, o.stderr)
  assert.equal(o.stdout, '')
  assert.equal(o.stderr, 'decoded 3 secrets from in to out/.env\n')
  assert.equal(readFileSync(join(dir, 'out/.env'), 'utf8'), PLAIN)
  assert.equal(mode(join(dir, 'out/.env')), 0o600)
  assert.deepEqual(readdirSync(join(dir, 'out')), ['.env'], 'no temporary file left')
  const dash = runCli(['decode', 'in', '-o', '-'], { cwd: dir })
  assert.equal(dash.stdout, PLAIN)
  const stdin = runCli(['decode', '-'], { cwd: dir, input: ENCODED })
  assert.equal(stdin.status, 0)
  assert.equal(stdin.stdout, PLAIN)
  assert.match(stdin.stderr, /from <stdin> to stdout/)
}))

test('never writes over its input, nor into a folder', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  const self = runCli(['decode', '.env_encoded', '-o', './.env_encoded'], { cwd: dir })
  assert.equal(self.status, 1)
  assertCleanFailure(self.stderr)
  assert.match(self.stderr, /^\.\/\.env_encoded: error: is the input file itself/)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), ENCODED)
  mkdirSync(join(dir, 'folder'))
  const folder = runCli(['decode', '-o', 'folder'], { cwd: dir })
  assert.equal(folder.status, 1)
  assert.match(folder.stderr, /^folder: error: is a folder/)
}))

test('errors: exit 1, one line each with file, line and key, nothing written', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'bad'), `SECRET_OK=${b64('fine')}\nSECRET_URL=-_-_\nSECRET_WORD=password\n`)
  const r = runCli(['decode', 'bad', '-o', 'plain.env'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assertCleanFailure(r.stderr)
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 3)
  assert.match(lines[0] ?? '', /^bad:2: error: the value of SECRET_URL uses the URL-safe base64 alphabet/)
  assert.match(lines[1] ?? '', /^bad:3: error: the value of SECRET_WORD decodes to bytes that are not UTF-8/)
  assert.equal(lines[2], 'nothing was written: 2 errors')
  assert.equal(existsSync(join(dir, 'plain.env')), false)
  const missing = runCli(['decode', 'nope'], { cwd: dir })
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, 'nope: error: no such file\n')
}))

test('a values file nested too deeply: one line with its line, exit 1, nothing written, no stack trace', () => withTempDir((dir) => {
  // 2,000 levels, then a key at the left margin: the yaml package alone would overflow its stack.
  const levels = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 2)}b:`).join('\n')
  writeFileSync(join(dir, 'values.yaml'), `a:\n${levels}\nextraEnv:\n  - name: SECRET_A\n    value: ${b64('x')}\n`)
  for (const args of [['decode', 'values.yaml', '-o', 'plain.env'], ['check', 'values.yaml']]) {
    const r = runCli(args, { cwd: dir })
    assert.equal(r.status, 1, args.join(' '))
    assert.equal(r.stdout, '')
    assertCleanFailure(r.stderr)
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines[0], 'values.yaml:101: error: nested more than 100 levels deep, which no values file or Secret is: it is not read')
    assert.equal(lines.length, 2)
  }
  assert.equal(existsSync(join(dir, 'plain.env')), false)
}))

test('warnings: exit 0 and the result; --strict makes them errors; --quiet keeps errors only', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'in'), `PLAIN=kept\nSECRET_A=${b64('a')}\n`)
  const r = runCli(['decode', 'in'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'PLAIN=kept\nA=a\n')
  assert.equal(r.stderr, 'in:1: warning: PLAIN does not start with SECRET_, so Kestra ignores it: it is kept as it is\n' +
    'decoded 1 secret from in to stdout (1 warning)\n')
  const strict = runCli(['decode', 'in', '--strict', '-o', 'out'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /^in:1: error: PLAIN/)
  assert.equal(existsSync(join(dir, 'out')), false)
  const quiet = runCli(['decode', 'in', '-q'], { cwd: dir })
  assert.equal(quiet.status, 0)
  assert.equal(quiet.stderr, '')
  assert.equal(quiet.stdout, 'PLAIN=kept\nA=a\n')
}))

test('a name given twice with different values: exit 1, the line of the second, nothing written; the same value: a note', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'in'), `SECRET_TOKEN=${b64('one')}\nSECRET_SAME=${b64('s')}\nSECRET_TOKEN=${b64('two')}\nSECRET_SAME=${b64('s')}\n`)
  const r = runCli(['decode', 'in', '-o', 'out.env'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr,
    'in:3: error: SECRET_TOKEN is already defined on line 1, with a different value: a .env holds one value per name, ' +
    'and dotenv would keep only the last: remove or rename one of them\n' +
    'in:4: note: SECRET_SAME is already defined on line 2, with the same value: it is written twice, and dotenv reads ' +
    'that value either way\n' +
    'nothing was written: 1 error\n')
  assert.equal(existsSync(join(dir, 'out.env')), false)

  // A values file whose two deployments share a secret: written twice, with the note, even with --strict.
  writeFileSync(join(dir, 'values.yaml'), [
    'deployments:',
    '  webserver:',
    '    extraEnv:',
    `      - { name: SECRET_TOKEN, value: "${b64('t')}" }`,
    '  worker:',
    '    extraEnv:',
    `      - { name: SECRET_TOKEN, value: "${b64('t')}" }`,
    '',
  ].join('\n'))
  const shared = runCli(['decode', 'values.yaml', '--strict'], { cwd: dir })
  assert.equal(shared.status, 0, shared.stderr)
  assert.equal(shared.stdout, 'TOKEN=t\nTOKEN=t\n')
  assert.equal(shared.stderr,
    'values.yaml:7: note: SECRET_TOKEN in deployments.worker.extraEnv is already defined on line 4 in ' +
    'deployments.webserver.extraEnv, with the same value: it is written twice, and dotenv reads that value either way\n' +
    'decoded 2 secrets from values.yaml (helm) to stdout\n')
  // With another value in one of them: an error, exit 1.
  writeFileSync(join(dir, 'values.yaml'), readFileSync(join(dir, 'values.yaml'), 'utf8').replace(/"[^"]+" }\n$/, `"${b64('u')}" }\n`))
  const differ = runCli(['decode', 'values.yaml'], { cwd: dir })
  assert.equal(differ.status, 1)
  assert.equal(differ.stdout, '')
  assert.equal(differ.stderr,
    'values.yaml:7: error: SECRET_TOKEN in deployments.worker.extraEnv is already defined on line 4 in ' +
    'deployments.webserver.extraEnv, with a different value: a .env holds one value per name, and dotenv would keep only ' +
    'the last: remove or rename one of them\n' +
    'nothing was written: 1 error\n')
}))

test('SECRET___proto__ is left out with a warning naming its line: exit 0, or 1 with --strict', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'in'), `SECRET___proto__=${b64('p')}\nSECRET_A=${b64('a')}\n`)
  const r = runCli(['decode', 'in'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'A=a\n')
  assert.equal(r.stderr, 'in:1: warning: dotenv ignores the name __proto__, so SECRET___proto__ is left out: rename it\n' +
    'decoded 1 secret from in to stdout (1 warning)\n')
  const strict = runCli(['decode', 'in', '--strict', '-o', 'out'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.equal(strict.stderr, 'in:1: error: dotenv ignores the name __proto__, so SECRET___proto__ is left out: rename it\n' +
    'nothing was written: 1 error (--strict made 1 warning an error)\n')
  assert.equal(existsSync(join(dir, 'out')), false)
}))

test('encode then decode gives back what dotenv reads from the original', () => withTempDir((dir) => {
  const src = readFileSync(join(ROOT, 'test', 'fixtures', 'encoded', 'good.env'), 'utf8')
  writeFileSync(join(dir, '.env'), src)
  assert.equal(runCli(['encode'], { cwd: dir }).status, 0)
  const r = runCli(['decode', '.env_encoded', '-o', 'back.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(dotenv.parse(readFileSync(join(dir, 'back.env'), 'utf8')), dotenv.parse(src))
}))

test('the shell loop\'s output decodes, with a warning per junk line and the wrapped value joined', () => {
  const r = runCli(['decode', 'test/fixtures/encoded/loop.env_encoded'])
  assert.equal(r.status, 0)
  const plain = dotenv.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'encoded', 'loop.env'), 'utf8'))
  assert.equal(dotenv.parse(r.stdout).SIGNING_KEY, plain.SIGNING_KEY)
  assert.match(r.stderr, /loop\.env_encoded:6: warning: the value of SECRET_SIGNING_KEY is wrapped over 2 lines/)
  assert.match(r.stderr, /decoded 3 secrets .* \(4 warnings\)\n$/)
})

test('a plain-text output inside a git work tree that would be tracked gets a warning', (t) => withTempDir((dir) => {
  if (spawnSync('git', ['--version']).status !== 0) {
    t.skip('git is not installed')
    return
  }
  assert.equal(spawnSync('git', ['init', '-q', dir]).status, 0)
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  const tracked = runCli(['decode', '-o', '.env'], { cwd: dir })
  assert.equal(tracked.status, 0)
  assert.match(tracked.stderr, /^\.env: warning: is in a git work tree and not ignored, and it holds your secrets in plain text: add the line \.env to \.gitignore$/m)
  writeFileSync(join(dir, '.gitignore'), '.env\n')
  const ignored = runCli(['decode', '-o', '.env'], { cwd: dir })
  assert.equal(ignored.status, 0, ignored.stderr)
  assert.match(ignored.stderr, /^decoded 3 secrets from \.env_encoded to \.env\n$/)
}))

test('decode --help lists its options; usage errors exit 2', () => {
  const help = runCli(['decode', '--help'])
  assert.equal(help.status, 0)
  for (const flag of ['-o, --output <path>', '--strict', '-q, --quiet']) assert.ok(help.stdout.includes(flag), flag)
  const bad = runCli(['decode', '--bogus'])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /unknown option '--bogus'/)
})
