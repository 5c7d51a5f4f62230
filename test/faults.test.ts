import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { BIN, ROOT, kestraDecode, runCli, withTempDir } from './helpers.js'

const inject = (name: string): string[] => ['--import', join(ROOT, 'test', 'inject', name)]
const node = (args: string[], cwd: string) =>
  spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
const noStack = (stderr: string): void => {
  assert.doesNotMatch(stderr, /\n\s+at /)
  assert.doesNotMatch(stderr, /EPIPE|ENOSPC|EACCES/)
}
const bigEnv = (entries: number): string => {
  const lines: string[] = []
  for (let i = 0; i < entries; i++) lines.push(`KEY_${i}="value number ${i} with some padding to make it longer"`)
  return lines.join('\n') + '\n'
}

test('stdout closed early: quiet exit, no EPIPE noise', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), bigEnv(50_000))
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" encode .env --stdout | head -1; echo "status=\${PIPESTATUS:-}"`],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.match(r.stdout, /^SECRET_KEY_0=/)
  assert.equal(r.stdout.trim().split('\n').length, 2)
  noStack(r.stderr)
  const status = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" encode .env --stdout -q | head -c 10 >/dev/null`], { cwd: dir })
  assert.equal(status.status, 0)
}))

test('stdout on a full device: one error line, exit 1', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" encode .env --stdout > /dev/full`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'stdout: error: no space left on the device; the output is incomplete\n')
}))

test('SIGINT/SIGTERM while writing: the output is the old one or the new one, whole; no temporary file', async () => {
  await new Promise<void>((done) => done())
  const dir = join(ROOT, 'build', `signal-test-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  try {
    const src = bigEnv(200_000)
    writeFileSync(join(dir, '.env'), src)
    const fresh = runCli(['encode', '.env', '--stdout', '-q'], { cwd: dir }).stdout
    const OLD = 'OLD CONTENT\n'
    const delays = [0, 20, 60, 120, 200, 300, 450, 700]
    for (const [i, delay] of delays.entries()) {
      writeFileSync(join(dir, '.env_encoded'), OLD)
      const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGINT'
      const child = spawn(process.execPath, [BIN, 'encode', '.env', '-q'], { cwd: dir, stdio: 'ignore' })
      const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      setTimeout(() => child.kill(signal), delay)
      await ended
      const out = readFileSync(join(dir, '.env_encoded'), 'utf8')
      assert.ok(out === OLD || out === fresh, `after ${signal} at ${delay} ms the output is whole`)
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left')
    }
  } finally {
    spawnSync('rm', ['-rf', dir])
  }
})

test('a write error or an unwritable folder: one line, exit 1, the old output untouched', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  writeFileSync(join(dir, '.env_encoded'), 'OLD\n')
  for (const [hook, message] of [['enospc.mjs', /no space left on the device; nothing was written/], ['eacces.mjs', /permission denied: cannot write it; nothing was written/]] as const) {
    const r = node([...inject(hook), BIN, 'encode', '.env'], dir)
    assert.equal(r.status, 1, hook)
    assert.match(r.stderr, new RegExp(`^\\.env_encoded: error: ${message.source}\\n$`))
    assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), 'OLD\n')
    assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env_encoded'])
  }
  const missing = runCli(['encode', '.env', '-o', 'no/such/folder/out'], { cwd: dir })
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, 'no/such/folder/out: error: the folder does not exist; nothing was written\n')
  const folder = runCli(['encode', '.env', '-o', '.'], { cwd: dir })
  assert.equal(folder.status, 1)
  assert.match(folder.stderr, /^\.: error: is a folder/)
}))

test('an output that is a symbolic link is replaced; its target is never written', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  writeFileSync(join(dir, 'target'), 'TARGET\n')
  symlinkSync('target', join(dir, '.env_encoded'))
  const r = runCli(['encode'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'TARGET\n')
  assert.equal(lstatSync(join(dir, '.env_encoded')).isSymbolicLink(), false)
  assert.equal(lstatSync(join(dir, '.env_encoded')).mode & 0o777, 0o600)
}))

test('bad inputs each get a clear outcome', () => withTempDir((dir) => {
  spawnSync('mkfifo', [join(dir, 'fifo')])
  writeFileSync(join(dir, 'empty.env'), '')
  writeFileSync(join(dir, 'nul.env'), Buffer.alloc(64))
  writeFileSync(join(dir, 'late-bad.env'), Buffer.concat([Buffer.from('A=1\nB=2\n# ok\nC="x'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]))
  writeFileSync(join(dir, 'mid-bom.env'), 'A=1\n\uFEFFB=2\nC=\uFEFFx\n')
  writeFileSync(join(dir, 'cr.env'), '# mac\rA=1\rB="two"\r')
  writeFileSync(join(dir, 'open-quote.env'), 'A=1\nB="never closed\nC=3')
  const cases: Array<[string, number, RegExp]> = [
    ['fifo', 0, /no KEY=VALUE entries found/],
    ['empty.env', 0, /no KEY=VALUE entries found/],
    ['nul.env', 1, /^nul\.env:1: error: contains a NUL byte/],
    ['late-bad.env', 1, /^late-bad\.env:4: error: not valid UTF-8 \(byte 18\)/],
    ['mid-bom.env', 0, /^encoded 3 secrets/],
    ['cr.env', 0, /^encoded 2 secrets/],
    ['open-quote.env', 0, /^open-quote\.env:2: warning: the value of B opens a quote that is never closed/],
  ]
  for (const [file, status, message] of cases) {
    const r = runCli(['encode', file, '--stdout'], { cwd: dir })
    assert.equal(r.status, status, file)
    assert.match(r.stderr, message, file)
    noStack(r.stderr)
    if (status === 0) {
      const expected = dotenv.parse(file === 'fifo' ? '' : readFileSync(join(dir, file)))
      const written = dotenv.parse(r.stdout)
      assert.equal(Object.keys(written).length, Object.keys(expected).length, file)
      for (const [k, v] of Object.entries(expected)) assert.equal(kestraDecode(written[`SECRET_${k}`] ?? ''), v)
    }
  }
}))

test('a 100 MB file and a 10 MB line are encoded (linear time); past 128 MiB the file is refused', () => withTempDir((dir) => {
  const line = 'x'.repeat(10 * 1024 * 1024)
  writeFileSync(join(dir, 'long.env'), `LONG=${line}\nB=1\n`)
  const long = runCli(['encode', 'long.env', '-o', 'long.out', '-q'], { cwd: dir })
  assert.equal(long.status, 0, long.stderr)
  const out = readFileSync(join(dir, 'long.out'), 'utf8').split('\n')
  assert.equal(kestraDecode((out[0] ?? '').slice('SECRET_LONG='.length)), line)
  const row = 'K=' + 'v'.repeat(98) + '\n'
  writeFileSync(join(dir, 'big.env'), row.repeat(1024 * 1024))
  const big = runCli(['encode', 'big.env', '-o', 'big.out', '--allow-duplicates', '-q'], { cwd: dir })
  assert.equal(big.status, 0, big.stderr)
  assert.equal(readFileSync(join(dir, 'big.out'), 'utf8'), `SECRET_K=${Buffer.from('v'.repeat(98)).toString('base64')}\n`)
  spawnSync('truncate', ['-s', `${129 * 1024 * 1024}`, join(dir, 'huge.env')])
  const huge = runCli(['encode', 'huge.env', '--stdout'], { cwd: dir })
  assert.equal(huge.status, 1)
  assert.match(huge.stderr, /^huge\.env: error: is larger than 128 MiB/)
  assert.equal(existsSync(join(dir, 'huge.env_encoded')), false)
}))

test('a bug prints a stack trace and a request to report it, never the value in the error', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'TOKEN=LEAKME-secret-value\n')
  const r = node([...inject('bug.mjs'), BIN, 'encode', '.env'], dir)
  assert.equal(r.status, 70)
  assert.match(r.stderr, /^kestra-secrets: internal error \(TypeError\); this is a bug, please report it/)
  assert.match(r.stderr, /\n\s+at /)
  assert.doesNotMatch(r.stderr, /LEAKME/)
  assert.equal(existsSync(join(dir, '.env_encoded')), false)
}))
