// bin/kestra-secrets.js runs the bundled CLI from V8's code cache, which it keeps beside the
// bundle. The cache must change nothing a user sees: same output, same messages, same exit codes,
// colour and the YAML formats included (they load packages with import(), which the bin lends),
// and never hold a value that was read. Each test runs a copy of bin/ and dist/ in a temporary
// folder, so that the cache it writes is its own.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, withTempDir } from './helpers.js'

const CACHE = `.cli.${process.version}.${process.arch}.cache`

/** A copy of the installed command in `dir`: bin/, dist/ and the dependencies. */
function install(dir: string): string {
  const pkg = join(dir, 'pkg')
  mkdirSync(join(pkg, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true })
  for (const f of ['cli.cjs', 'cli-decode-check.cjs']) cpSync(join(ROOT, 'dist', f), join(pkg, 'dist', f))
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
  return pkg
}

function run(pkg: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env }
  for (const k of ['FORCE_COLOR', 'NODE_DISABLE_COMPILE_CACHE']) if (!(k in env)) delete full[k]
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'kestra-secrets.js'), ...args], { cwd, env: full, encoding: 'utf8' })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const ENV = '# staging\nDB_PASSWORD="pa ss#word"\nexport API_TOKEN=tok-123 # the token\nBROKEN="unclosed\n'

test('the first run writes the cache, later runs use it, and nothing a user sees changes', () => withTempDir((dir) => {
  const pkg = install(dir)
  const cache = join(pkg, 'dist', CACHE)
  writeFileSync(join(dir, '.env'), ENV)
  const plain = run(pkg, ['encode', '.env', '-o', 'plain.out'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' })
  assert.equal(plain.status, 0, plain.stderr)
  assert.ok(!existsSync(cache), 'NODE_DISABLE_COMPILE_CACHE writes no cache')

  const first = run(pkg, ['encode', '.env', '-o', 'first.out'], dir)
  assert.ok(existsSync(cache), 'the first run writes the cache')
  const written = statSync(cache)
  assert.equal(written.mode & 0o777, 0o600, 'mode 0600, as every file the tool writes')
  const second = run(pkg, ['encode', '.env', '-o', 'second.out'], dir)
  for (const r of [first, second]) {
    assert.equal(r.status, 0)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, plain.stderr.replace('plain.out', r === first ? 'first.out' : 'second.out'))
  }
  const expected = readFileSync(join(dir, 'plain.out'), 'utf8')
  assert.equal(readFileSync(join(dir, 'first.out'), 'utf8'), expected)
  assert.equal(readFileSync(join(dir, 'second.out'), 'utf8'), expected)
  // V8 took the cache: a refused one would have been written again.
  const after = statSync(cache)
  assert.equal(after.mtimeMs, written.mtimeMs)
  assert.equal(after.ino, written.ino)

  // Exit codes and messages of failures, decode and check, from the cache.
  for (const args of [['encode', 'missing.env'], ['encode', '.env', '--strict', '-o', 'x.out'], ['decode', 'first.out'], ['check', 'first.out']]) {
    const cached = run(pkg, args, dir)
    const uncached = run(pkg, args, dir, { NODE_DISABLE_COMPILE_CACHE: '1' })
    assert.deepEqual(cached, uncached, args.join(' '))
  }
}))

test('colour and the YAML formats, which load packages with import(), work from the cache', () => withTempDir((dir) => {
  const pkg = install(dir)
  writeFileSync(join(dir, '.env'), ENV)
  run(pkg, ['encode', '.env', '--stdout'], dir)
  assert.ok(existsSync(join(pkg, 'dist', CACHE)))
  for (const format of ['helm', 'k8s-secret']) {
    const cached = run(pkg, ['encode', '.env', '--format', format, '--stdout'], dir, { FORCE_COLOR: '1' })
    const uncached = run(pkg, ['encode', '.env', '--format', format, '--stdout'], dir, { FORCE_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: '1' })
    assert.equal(cached.status, 0, cached.stderr)
    assert.match(cached.stderr, /\u001b\[/, 'coloured')
    assert.deepEqual(cached, uncached)
  }
}))

test('a cache made from other code is not used, and is made again', () => withTempDir((dir) => {
  const pkg = install(dir)
  const cache = join(pkg, 'dist', CACHE)
  writeFileSync(join(dir, '.env'), ENV)
  run(pkg, ['encode', '.env', '--stdout'], dir)
  const good = readFileSync(cache)
  // The same length, one byte of the source copy changed: V8 alone would not notice.
  const stale = Buffer.from(good)
  stale[100] = stale[100] === 0x20 ? 0x21 : 0x20
  writeFileSync(cache, stale)
  const r = run(pkg, ['encode', '.env', '--stdout'], dir)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r, run(pkg, ['encode', '.env', '--stdout'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' }))
  const again = readFileSync(cache)
  assert.ok(again.subarray(4, 4 + good.readUInt32LE(0)).equals(readFileSync(join(pkg, 'dist', 'cli.cjs'))))
  // Garbage of any length is not used either.
  writeFileSync(cache, Buffer.from('not a cache'))
  assert.equal(run(pkg, ['encode', '.env', '--stdout'], dir).stdout, r.stdout)
}))

test('a cache that cannot be written changes nothing', () => withTempDir((dir) => {
  const pkg = install(dir)
  // A folder where the cache would go: the rename fails, as on a read-only installation.
  mkdirSync(join(pkg, 'dist', CACHE))
  writeFileSync(join(dir, '.env'), ENV)
  const r = run(pkg, ['encode', '.env', '-o', 'out'], dir)
  assert.equal(r.status, 0)
  assert.deepEqual(r, run(pkg, ['encode', '.env', '-o', 'out'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' }))
  assert.ok(statSync(join(pkg, 'dist', CACHE)).isDirectory())
  assert.deepEqual(readFileSync(join(dir, 'out'), 'utf8').split('\n').filter((l) => l.startsWith('SECRET_')).length, 3)
}))

test('the cache holds code only: no value that was read, plain or encoded', () => withTempDir((dir) => {
  const pkg = install(dir)
  const secret = 'CANARY-7f3a9c-value-that-must-not-leak'
  writeFileSync(join(dir, '.env'), `# a comment with CANARY-comment-77\nTOKEN=${secret}\nOTHER="${secret}-2"\n`)
  // Written at the exit of a run that read the value, as the first run always is.
  assert.equal(run(pkg, ['encode', '.env', '-o', 'out'], dir).status, 0)
  const cache = readFileSync(join(pkg, 'dist', CACHE))
  for (const needle of [secret, Buffer.from(secret).toString('base64').slice(0, 24), 'CANARY', 'TOKEN']) {
    assert.equal(cache.indexOf(Buffer.from(needle)), -1, `${needle} is in the cache`)
    assert.equal(cache.indexOf(Buffer.from(needle, 'utf16le')), -1, `${needle} (UTF-16) is in the cache`)
  }
}))
