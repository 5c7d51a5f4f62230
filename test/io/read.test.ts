// Bad input for every command (issue 6): inputs that are folders, named pipes, missing,
// unreadable, binary, mis-encoded or huge. Faults of the output side are in faults.test.ts.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { assertNoStack, inject, kestraDecode, longTest, runCli, runCliWith, runInProcess, startCli, withTempDir, withTempDirAsync, type Run } from '../helpers.js'
import { EXIT } from '../../src/errors.js'

/** `A=1` as Windows editors and PowerShell's `>` save it: UTF-16 with its byte-order mark. */
const UTF16LE = Buffer.from('\uFEFFA=1\n', 'utf16le')
const UTF16BE = Buffer.from(UTF16LE).swap16()

const noStack = (stderr: string): void => assertNoStack(stderr)
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

test('bad inputs each get a clear outcome', async () => withTempDirAsync(async (dir) => {
  assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0)
  // Nobody writes to the named pipe: the run waits a second for a writer, while the others go on.
  const fifo = startCli([], ['encode', 'fifo', '--stdout'], { cwd: dir })
  writeFileSync(join(dir, 'empty.env'), '')
  writeFileSync(join(dir, 'nul.env'), Buffer.alloc(64))
  writeFileSync(join(dir, 'u16.env'), UTF16LE)
  writeFileSync(join(dir, 'late-bad.env'), Buffer.concat([Buffer.from('A=1\nB=2\n# ok\nC="x'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]))
  writeFileSync(join(dir, 'mid-bom.env'), 'A=1\n\uFEFFB=2\nC=\uFEFFx\n')
  // A file is read straight into a string, and one with U+FFFD again as bytes: a real U+FFFD is fine.
  writeFileSync(join(dir, 'replacement.env'), 'A=\uFFFD\nB="x\uFFFDy"\n')
  writeFileSync(join(dir, 'cr.env'), '# mac\rA=1\rB="two"\r')
  writeFileSync(join(dir, 'open-quote.env'), 'A=1\nB="never closed\nC=3')
  const cases: Array<[string, number, RegExp]> = [
    ['empty.env', 0, /no KEY=VALUE entries found/],
    ['nul.env', 1, /^nul\.env:1: error: contains a NUL byte/],
    ['u16.env', 1, /^u16\.env: error: is UTF-16 \(it starts with a UTF-16 byte-order mark\), not UTF-8: save it as UTF-8/],
    ['late-bad.env', 1, /^late-bad\.env:4: error: not valid UTF-8 \(byte 18\)/],
    ['mid-bom.env', 0, /^encoded 3 secrets/],
    ['replacement.env', 0, /^encoded 2 secrets/],
    ['cr.env', 0, /^encoded 2 secrets/],
    ['open-quote.env', 0, /^open-quote\.env:2: warning: the value of B opens a quote that is never closed/],
    // Last: by now its second has passed.
    ['fifo', 0, /no KEY=VALUE entries found/],
  ]
  for (const [file, status, message] of cases) {
    const r = file === 'fifo' ? await fifo : runCli(['encode', file, '--stdout'], { cwd: dir })
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

test('a 100 MB file and a 10 MB line are encoded (linear time); past 128 MiB the file is refused', longTest, () => withTempDir((dir) => {
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
  // An input under the limit whose output is over it: refused, since decode and check would not read it.
  writeFileSync(join(dir, 'grows.env'), 'K=' + 'v'.repeat(100 * 1024 * 1024) + '\n')
  const grows = runCli(['encode', 'grows.env', '-o', 'grows.out', '-q'], { cwd: dir })
  assert.equal(grows.status, 1)
  assert.equal(grows.stderr, 'grows.out: error: the output would be larger than 128 MiB, which decode and check do not read; nothing was written: split the .env file\n')
  assert.equal(existsSync(join(dir, 'grows.out')), false)
}))

test('a UTF-16 file, or UTF-16 on stdin, is said to be UTF-16, not binary, by every command', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'le.env'), UTF16LE)
  writeFileSync(join(dir, 'be.env'), UTF16BE)
  writeFileSync(join(dir, 'p.enc'), 'SECRET_A=MQ==\n')
  const message = 'error: is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8, e.g. with iconv -f UTF-16 -t UTF-8\n'
  for (const file of ['le.env', 'be.env']) {
    for (const args of [['encode', file], ['decode', file], ['check', file], ['check', 'p.enc', '--against', file], ['run', file, '--', 'true']]) {
      const r = runCli(args, { cwd: dir })
      assert.equal(r.status, EXIT.rejected, args.join(' '))
      assert.equal(r.stderr, `${file}: ${message}`, args.join(' '))
    }
  }
  for (const args of [['encode', '-'], ['decode', '-'], ['check', '-'], ['run', '-', '--', 'true']]) {
    const r = runCli(args, { cwd: dir, input: UTF16LE })
    assert.equal(r.status, EXIT.rejected, args.join(' '))
    assert.equal(r.stderr, `<stdin>: ${message}`, args.join(' '))
  }
  assert.deepEqual(readdirSync(dir).sort(), ['be.env', 'le.env', 'p.enc'])
}))

test('decode and check: bad inputs each get a clear outcome, also as --against', async () => withTempDirAsync(async (dir) => {
  assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0)
  mkdirSync(join(dir, 'flows'))
  assert.equal(spawnSync('mkfifo', [join(dir, 'flows', 'pipe.yml')]).status, 0)
  mkdirSync(join(dir, 'folder'))
  writeFileSync(join(dir, 'ok'), `SECRET_A=${b64('1')}\n`)
  writeFileSync(join(dir, 'empty'), '')
  writeFileSync(join(dir, 'nul'), Buffer.alloc(64))
  writeFileSync(join(dir, 'u16'), UTF16BE)
  writeFileSync(join(dir, 'late-bad'), Buffer.concat([Buffer.from(`SECRET_A=${b64('1')}\n# ok\nB="x`), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]))
  writeFileSync(join(dir, 'unreadable'), `SECRET_A=${b64('1')}\n`)
  writeFileSync(join(dir, 'cr'), `# mac\rSECRET_A=${b64('1')}\rSECRET_B=${b64('2')}\r`)
  writeFileSync(join(dir, 'open-quote'), `SECRET_A=${b64('1')}\nSECRET_B="${b64('2')}\nSECRET_C=${b64('3')}`)
  spawnSync('truncate', ['-s', `${129 * 1024 * 1024}`, join(dir, 'huge')])
  // [file, decode's exit, check's exit, the first line of stderr]
  const cases: Array<[string, number, number, RegExp]> = [
    // An empty input: decode writes an empty .env; check says it holds no secret, so not ready.
    ['empty', 0, 1, /no KEY=VALUE entries found/],
    ['folder', 1, 1, /^folder: error: is a folder, not a file/],
    ['missing', 1, 1, /^missing: error: no such file\n$/],
    ['unreadable', 1, 1, /^unreadable: error: permission denied: cannot read it\n$/],
    ['nul', 1, 1, /^nul:1: error: contains a NUL byte/],
    ['u16', 1, 1, /^u16: error: is UTF-16 \(it starts with a UTF-16 byte-order mark\)/],
    ['late-bad', 1, 1, /^late-bad:3: error: not valid UTF-8 \(byte \d+\)/],
    ['huge', 1, 1, /^huge: error: is larger than 128 MiB/],
    // Empty too, and last: by now the second its runs wait has passed.
    ['fifo', 0, 1, /no KEY=VALUE entries found/],
  ]
  const hooks = inject('eacces-read.mjs')
  // Nobody writes to the named pipes: each run that reads one waits a second for a writer. They
  // are started now, to wait side by side while the other runs go on.
  const waiting = new Map<string, Promise<Run>>()
  for (const args of [['decode', 'fifo'], ['check', 'fifo'], ['check', 'fifo', '--json'], ['check', 'ok', '--against', 'fifo'],
    ['check', 'ok', '--flows', join('flows', 'pipe.yml')]]) waiting.set(args.join(' '), startCli(hooks, args, { cwd: dir }))
  // The bin for those and for the file that the hook makes unreadable; the rest in-process, where
  // reading the input and the messages are the same code, at a fraction of the cost.
  const cli = async (args: string[]): Promise<Run | { status: number; stdout: string; stderr: string }> =>
    waiting.get(args.join(' ')) ??
      (args.some((a) => a.includes('unreadable')) ? runCliWith(hooks, args, { cwd: dir }) : runInProcess(args, { cwd: dir }))
  for (const [file, decodeStatus, checkStatus, message] of cases) {
    const d = await cli(['decode', file])
    assert.equal(d.status, decodeStatus, `decode ${file}: ${d.stderr}`)
    assert.match(d.stderr, message, `decode ${file}`)
    noStack(d.stderr)
    if (decodeStatus === 1) assert.equal(d.stdout, '', file)
    for (const json of [false, true]) {
      const c = await cli(['check', file, ...(json ? ['--json'] : [])])
      assert.equal(c.status, checkStatus, `check ${file}: ${c.stderr}`)
      if (decodeStatus === 0) {
        if (json) assert.deepEqual((JSON.parse(c.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code), ['no-secrets'])
        else assert.match(c.stderr, /^[^:]+: error: no SECRET_ variable found: the file holds no secret for Kestra\n/, `check ${file}`)
      } else if (json) {
        // An input that cannot be read at all: the JSON report says so too.
        // The file as a path, the line (when the error has one) a number of its own, as in a finding.
        const report = JSON.parse(c.stdout) as { ok: boolean; error: { file: string; line?: number; message: string } }
        assert.equal(report.ok, false)
        assert.equal(report.error.file, file)
        const place = report.error.line === undefined ? file : `${file}:${report.error.line}`
        assert.match(`${place}: error: ${report.error.message}\n`, message, `check --json ${file}`)
      } else {
        assert.match(c.stderr, message, `check ${file}`)
      }
      noStack(c.stderr)
    }
    // The same file as the plain side: check still has a clear outcome.
    const a = await cli(['check', 'ok', '--against', file])
    noStack(a.stderr)
    if (decodeStatus === 1) {
      assert.equal(a.status, 1, `--against ${file}`)
      assert.match(a.stderr, message, `--against ${file}`)
    } else {
      assert.equal(a.status, 1, `--against ${file}: SECRET_A is extra`)
      assert.match(a.stderr, /SECRET_A is not in/)
    }
  }
  // Files that read, with lines of their own kind.
  const cr = runCli(['decode', 'cr'], { cwd: dir })
  assert.equal(cr.status, 0, cr.stderr)
  assert.deepEqual(dotenv.parse(cr.stdout), { A: '1', B: '2' })
  const open = await runInProcess(['check', 'open-quote'], { cwd: dir })
  assert.equal(open.status, 1)
  assert.match(open.stderr, /^open-quote:2: error: the value of SECRET_B is in quotes/m)
  noStack(open.stderr)
  // A --flows that is missing or a named pipe.
  const flows = await runInProcess(['check', 'ok', '--flows', 'no-such-folder'], { cwd: dir })
  assert.equal(flows.status, 1)
  assert.equal(flows.stderr, 'no-such-folder: error: no such file\n')
  // A named pipe in a flows folder is no flow file (only regular files are read); given as
  // --flows itself, with nobody writing to it, it reads as an empty flow after a second.
  const skipped = await runInProcess(['check', 'ok', '--flows', 'flows'], { cwd: dir })
  assert.equal(skipped.status, 0, skipped.stderr)
  assert.match(skipped.stderr, /^flows: warning: no \*\.yml or \*\.yaml file found here/)
  const piped = await cli(['check', 'ok', '--flows', join('flows', 'pipe.yml')])
  assert.equal(piped.status, 0, piped.stderr)
  assert.match(piped.stderr, /SECRET_A is not used by any flow/)
  noStack(piped.stderr)
}))

test('decode and check: a 50 MB file in linear time', longTest, () => withTempDir((dir) => {
  // 350,000 entries of 150 bytes: about 52 MB.
  const lines: string[] = []
  for (let i = 0; i < 350_000; i++) lines.push(`SECRET_K${i}=${b64(`${'v'.repeat(98)}${i}`)}`)
  writeFileSync(join(dir, 'big'), lines.join('\n') + '\n')
  const started = Date.now()
  const checked = runCli(['check', 'big', '--json'], { cwd: dir })
  assert.equal(checked.status, 0, checked.stderr.slice(0, 500))
  assert.equal((JSON.parse(checked.stdout) as { secrets: number }).secrets, 350_000)
  const decoded = runCli(['decode', 'big', '-o', 'big.env', '-q'], { cwd: dir })
  assert.equal(decoded.status, 0, decoded.stderr.slice(0, 500))
  const out = readFileSync(join(dir, 'big.env'), 'utf8')
  assert.ok(out.startsWith(`K0=${'v'.repeat(98)}0\n`) && out.endsWith(`K349999=${'v'.repeat(98)}349999\n`))
  assert.ok(Date.now() - started < 60_000, 'in seconds, not minutes')
}))

test('decode and check: a value of 10 MB', longTest, () => withTempDir((dir) => {
  const value = 'x'.repeat(10 * 1024 * 1024)
  writeFileSync(join(dir, 'long'), `SECRET_LONG=${b64(value)}\nSECRET_B=${b64('1')}\n`)
  const checked = runCli(['check', 'long'], { cwd: dir })
  assert.equal(checked.status, 0, checked.stderr.slice(0, 300))
  const decoded = runCli(['decode', 'long', '-o', 'long.env', '-q'], { cwd: dir })
  assert.equal(decoded.status, 0, decoded.stderr.slice(0, 300))
  assert.equal(readFileSync(join(dir, 'long.env'), 'utf8'), `LONG=${value}\nB=1\n`)
  // encode tests every value of an input whose names all start with SECRET_ the same way.
  writeFileSync(join(dir, 'looks-encoded.env'), `SECRET_LONG=${b64(value)}\n`)
  const encoded = runCli(['encode', 'looks-encoded.env', '--stdout', '--force', '-q'], { cwd: dir })
  assert.equal(encoded.status, 0, encoded.stderr.slice(0, 300))
}))

