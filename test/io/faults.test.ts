// Faults for every command (issue 6): a reader that goes away, a full device, a failing or
// unwritable output, signals while writing, a symbolic link as the output, and a forced bug. Bad
// inputs (folders, named pipes, binary, mis-encoded or huge files) are in read.test.ts.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { assertNoStack, BIN, inject, kestraDecode, longTest, ROOT, runCli, runCliWith, withTempDir, withTempDirAsync } from '../helpers.js'
import { EXIT } from '../../src/errors.js'
import { MAX_INPUT_BYTES } from '../../src/io/read.js'

const node = (args: string[], cwd: string) =>
  spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
const noStack = (stderr: string): void => assertNoStack(stderr)
const sh = (script: string, cwd: string) =>
  spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
/** `sh`, started now and collected later: for a script that spends its time waiting. */
const shLater = (script: string, cwd: string): Promise<{ status: number | null; stdout: string }> => {
  const child = spawn('bash', ['-c', script], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout }))
  })
}
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const bigEnv = (entries: number): string => {
  const lines: string[] = []
  for (let i = 0; i < entries; i++) lines.push(`KEY_${i}="value number ${i} with some padding to make it longer"`)
  return lines.join('\n') + '\n'
}
/** The same secrets, encoded: what decode and check read. */
const bigEncoded = (entries: number): string => {
  const lines: string[] = []
  for (let i = 0; i < entries; i++) lines.push(`SECRET_KEY_${i}=${b64(`value number ${i} with some padding to make it longer`)}`)
  return lines.join('\n') + '\n'
}

test('stdout closed early: quiet exit, no EPIPE noise', () => withTempDir((dir) => {
  // About 750 kB of output: many times what a pipe holds (64 KiB), so most is written after head has gone.
  writeFileSync(join(dir, '.env'), bigEnv(10_000))
  // PIPESTATUS is bash's: the tool's own exit status, not head's (a death by SIGPIPE would be 141).
  const r = sh(`"${process.execPath}" "${BIN}" encode .env --stdout | head -1; echo "status=\${PIPESTATUS[0]}"`, dir)
  assert.match(r.stdout, /^SECRET_KEY_0=[A-Za-z0-9+/]+=*\nstatus=0\n$/)
  assert.equal(kestraDecode(r.stdout.slice('SECRET_KEY_0='.length, r.stdout.indexOf('\n'))), 'value number 0 with some padding to make it longer')
  noStack(r.stderr)
  assert.doesNotMatch(r.stderr, /error|broken pipe/i)
  // With -q nothing is printed at all, and pipefail reports the tool's status (head's is 0).
  const quiet = sh(`set -o pipefail; "${process.execPath}" "${BIN}" encode .env --stdout -q | head -c 10 >/dev/null`, dir)
  assert.equal(quiet.status, 0, quiet.stderr)
  assert.equal(quiet.stderr, '')
}))

test('stdout on a full device: one error line, exit 1', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" encode .env --stdout > /dev/full`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'stdout: error: no space left on the device; the output is incomplete\n')
}))

/**
 * Kills `command` with SIGTERM or SIGINT at several moments while it writes `output`, and checks
 * that the output is then either the old file or the new one, whole, with no temporary file left.
 */
async function interruptWrites(command: string, input: string, text: string, output: string): Promise<void> {
  const dir = join(ROOT, 'build', `signal-test-${command}-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  try {
    writeFileSync(join(dir, input), text)
    const fresh = runCli([command, input, '-o', '-', '-q'], { cwd: dir }).stdout
    assert.ok(fresh.length > 1_000_000)
    const OLD = 'OLD CONTENT\n'
    const delays = [0, 20, 60, 120, 200, 300, 450, 700]
    for (const [i, delay] of delays.entries()) {
      writeFileSync(join(dir, output), OLD)
      const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGINT'
      const child = spawn(process.execPath, [BIN, command, input, '-o', output, '-q'], { cwd: dir, stdio: 'ignore' })
      const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      setTimeout(() => child.kill(signal), delay)
      await ended
      const out = readFileSync(join(dir, output), 'utf8')
      assert.ok(out === OLD || out === fresh, `${command}: after ${signal} at ${delay} ms the output is whole`)
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left')
    }
  } finally {
    spawnSync('rm', ['-rf', dir])
  }
}

test('stderr closed, on a full device, or a pipe read slowly: the result is the same and nothing is lost', async () => withTempDirAsync(async (dir) => {
  // Diagnostics go to fd 2 with writeSync, not through process.stderr (issue 5: start-up).
  writeFileSync(join(dir, '.env'), 'A=1\nB=2\n')
  const closed = sh(`"${process.execPath}" "${BIN}" encode .env 2>&-; echo "status=$?"`, dir)
  assert.equal(closed.stdout, 'status=0\n')
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), `SECRET_A=${b64('1')}\nSECRET_B=${b64('2')}\n`)
  const full = sh(`"${process.execPath}" "${BIN}" encode .env -o again 2>/dev/full; echo "status=$?"`, dir)
  assert.equal(full.stdout, 'status=0\n')
  assert.equal(readFileSync(join(dir, 'again'), 'utf8'), readFileSync(join(dir, '.env_encoded'), 'utf8'))
  const rejected = sh(`"${process.execPath}" "${BIN}" encode missing.env 2>&-; echo "status=$?"`, dir)
  assert.equal(rejected.stdout, 'status=1\n')
  // 3,000 findings: on stderr the first 20 and a count; check --json carries them all on stdout,
  // far more than a pipe holds, read only after a pause.
  const lines: string[] = []
  for (let i = 0; i < 3000; i++) lines.push(`SECRET_K${i}=not base64!`)
  writeFileSync(join(dir, 'bad_encoded'), lines.join('\n') + '\n')
  // The two readers pause side by side; pipefail gives check's own exit status (1: not ready).
  const json = shLater(`set -o pipefail; "${process.execPath}" "${BIN}" check bad_encoded --json 2>/dev/null | (sleep 1; cat)`, dir)
  const slow = sh(`set -o pipefail; "${process.execPath}" "${BIN}" check bad_encoded 2>&1 >/dev/null | (sleep 1; cat)`, dir)
  assert.equal(slow.status, 1, slow.stderr)
  const found = slow.stdout.split('\n').filter((l) => /^bad_encoded:\d+: error: /.test(l))
  assert.equal(found.length, 20)
  assert.match(slow.stdout, /^\.\.\. and 2980 more like the above \(invalid-base64\)$/m)
  noStack(slow.stdout)
  const { status, stdout } = await json
  assert.equal(status, 1)
  const report = JSON.parse(stdout) as { findings: Array<{ line: number; code: string }> }
  assert.equal(report.findings.filter((f) => f.code === 'invalid-base64').length, 3000)
}))

test('SIGINT/SIGTERM while writing: the output is the old one or the new one, whole; no temporary file', longTest, async () => {
  await interruptWrites('encode', '.env', bigEnv(200_000), '.env_encoded')
})

test('decode: SIGINT/SIGTERM while writing leave the old output or the new one, whole', longTest, async () => {
  await interruptWrites('decode', '.env_encoded', bigEncoded(200_000), 'plain.env')
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
  assert.equal(missing.stderr, 'no/such/folder/out: error: the folder does not exist: create no/such/folder first, or choose another path with -o; nothing was written\n')
  const folder = runCli(['encode', '.env', '-o', '.'], { cwd: dir })
  assert.equal(folder.status, 1)
  assert.match(folder.stderr, /^\.: error: is a folder/)
}))

test('-o in a folder that does not exist, or through a file: which of the two, and what to do', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'p.env'), 'A=1\n')
  writeFileSync(join(dir, 'p.enc'), 'SECRET_A=MQ==\n')
  const cases: Array<[string, string]> = [
    // A path that ends with / names a folder: its rename fails with ENOTDIR, though no file is in the way.
    // In a folder that exists, the file of that name was most likely meant.
    ['nonexist/', 'ends with /, which names a folder, and -o takes a file path: write -o nonexist for the file'],
    ['nonexist//', 'ends with //, which names a folder, and -o takes a file path: write -o nonexist for the file'],
    ['nonexist/y/', 'names a folder (it ends with /) in a folder that does not exist, and -o takes a file path: give one in a folder that exists'],
    ['nonexist/x', 'the folder does not exist: create nonexist first, or choose another path with -o'],
    ['nonexist/y/x', 'the folder does not exist: create nonexist/y first, or choose another path with -o'],
    ['p.env/x', 'p.env is a file, not a folder: choose another path with -o'],
    ['p.env/y/x', 'p.env is a file, not a folder: choose another path with -o'],
  ]
  for (const [command, input] of [['encode', 'p.env'], ['decode', 'p.enc']] as const) {
    for (const [output, message] of cases) {
      const r = runCli([command, input, '-o', output], { cwd: dir })
      assert.equal(r.status, EXIT.rejected, `${command} -o ${output}`)
      assert.equal(r.stderr, `${output}: error: ${message}; nothing was written\n`, `${command} -o ${output}`)
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), ['p.enc', 'p.env'])
}))

test('-o in a folder that is there but takes no new file (/proc): said so, not "does not exist"', (t) => withTempDir((dir) => {
  if (!existsSync('/proc/self/status')) {
    t.skip('no /proc here')
    return
  }
  writeFileSync(join(dir, 'p.env'), 'A=1\n')
  for (const output of ['/proc/self/status', '/proc/version']) {
    const r = runCli(['encode', 'p.env', '-o', output], { cwd: dir })
    assert.equal(r.status, EXIT.rejected, output)
    assert.equal(r.stderr, `${output}: error: cannot make a file in ${dirname(output)}, whose file system takes no new files ` +
      "(as /proc's does not): choose another path with -o; nothing was written\n", output)
  }
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
  // A link to the input is the input: refused, the input untouched.
  symlinkSync('.env', join(dir, 'to-input'))
  const toInput = runCli(['encode', '.env', '-o', 'to-input'], { cwd: dir })
  assert.equal(toInput.status, 1)
  assert.match(toInput.stderr, /^to-input: error: is the input file itself: refusing to write over it/)
  assert.equal(readFileSync(join(dir, '.env'), 'utf8'), 'A=1\n')
  assert.equal(lstatSync(join(dir, 'to-input')).isSymbolicLink(), true)
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

// ------------------------------------------------------------------------------------------------
// decode and check: the same faults, where they apply (decode writes a .env to stdout or with -o;
// check writes only its --json report to stdout).
// ------------------------------------------------------------------------------------------------

test('decode and check --json: stdout closed early is a quiet exit 0, with no EPIPE noise', () => withTempDir((dir) => {
  // About 600 kB of .env and 2 MB of JSON: many times what a pipe holds (64 KiB).
  writeFileSync(join(dir, '.env_encoded'), bigEncoded(10_000))
  // No flow uses the secrets: check --json then has a long report (of notes) to print.
  writeFileSync(join(dir, 'flow.yml'), 'id: f\n')
  for (const [args, first] of [['decode', /^KEY_0=/], ['check .env_encoded --flows flow.yml --json', /^\{/]] as const) {
    const cli = `"${process.execPath}" "${BIN}" ${args}`
    const r = sh(`${cli} | head -1; echo "status=\${PIPESTATUS[0]}"`, dir)
    assert.match(r.stdout, first, args)
    assert.match(r.stdout, /^[^\n]*\nstatus=0\n$/, `${args}: one line, then the tool's own exit 0`)
    noStack(r.stderr)
    assert.doesNotMatch(r.stderr, /error/, args)
    assert.equal(sh(`set -o pipefail; ${cli} -q | head -c 10 >/dev/null`, dir).status, 0, `${args}: exit 0`)
  }
}))

test('decode and check --json on a full device: one error line, exit 1', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('1')}\n`)
  for (const args of ['decode', 'check --json']) {
    const r = sh(`"${process.execPath}" "${BIN}" ${args} > /dev/full`, dir)
    assert.equal(r.status, 1, args)
    assert.match(r.stderr, /^stdout: error: no space left on the device; the output is incomplete\n/, args)
    noStack(r.stderr)
  }
}))

test('decode -o: a write error or an unwritable folder: one line, exit 1, the old output untouched', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('1')}\n`)
  writeFileSync(join(dir, 'plain.env'), 'OLD\n')
  for (const [hook, message] of [['enospc.mjs', /no space left on the device; nothing was written/], ['eacces.mjs', /permission denied: cannot write it; nothing was written/]] as const) {
    const r = runCliWith(inject(hook), ['decode', '-o', 'plain.env'], { cwd: dir })
    assert.equal(r.status, 1, hook)
    assert.match(r.stderr, new RegExp(`^plain\\.env: error: ${message.source}\\n$`))
    assert.equal(r.stdout, '')
    assert.equal(readFileSync(join(dir, 'plain.env'), 'utf8'), 'OLD\n')
    assert.deepEqual(readdirSync(dir).sort(), ['.env_encoded', 'plain.env'])
  }
  const missing = runCli(['decode', '-o', 'no/such/folder/out'], { cwd: dir })
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, 'no/such/folder/out: error: the folder does not exist: create no/such/folder first, or choose another path with -o; nothing was written\n')
  const folder = runCli(['decode', '-o', '.'], { cwd: dir })
  assert.equal(folder.status, 1)
  assert.match(folder.stderr, /^\.: error: is a folder/)
  const itself = runCli(['decode', '-o', '.env_encoded'], { cwd: dir })
  assert.equal(itself.status, 1)
  assert.match(itself.stderr, /^\.env_encoded: error: is the input file itself: refusing to write over it/)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), `SECRET_A=${b64('1')}\n`)
}))

test('decode -o: a symbolic link is replaced, its target never written; the file is 0600 whatever the umask', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env_encoded'), `SECRET_A=${b64('1')}\n`)
  writeFileSync(join(dir, 'target'), 'TARGET\n')
  symlinkSync('target', join(dir, 'plain.env'))
  const r = runCli(['decode', '-o', 'plain.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'TARGET\n')
  assert.equal(lstatSync(join(dir, 'plain.env')).isSymbolicLink(), false)
  assert.equal(readFileSync(join(dir, 'plain.env'), 'utf8'), 'A=1\n')
  assert.equal(lstatSync(join(dir, 'plain.env')).mode & 0o777, 0o600)
  symlinkSync('.env_encoded', join(dir, 'to-input'))
  const toInput = runCli(['decode', '-o', 'to-input'], { cwd: dir })
  assert.equal(toInput.status, 1)
  assert.match(toInput.stderr, /^to-input: error: is the input file itself: refusing to write over it/)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), `SECRET_A=${b64('1')}\n`)
  // A wider file in place, and a umask that would leave the new one readable by all.
  writeFileSync(join(dir, 'wide.env'), 'OLD\n', { mode: 0o644 })
  const wide = sh(`umask 000; "${process.execPath}" "${BIN}" decode -o wide.env`, dir)
  assert.equal(wide.status, 0, wide.stderr)
  assert.equal(statSync(join(dir, 'wide.env')).mode & 0o777, 0o600)
}))

test('decode and check: a bug prints a stack trace and a request to report it, never the value', () => withTempDir((dir) => {
  const secret = 'LEAKME-decoded-secret'
  writeFileSync(join(dir, '.env_encoded'), `SECRET_TOKEN=${b64(secret)}\n`)
  writeFileSync(join(dir, '.env'), 'OTHER=1\n')
  for (const args of [['decode'], ['decode', '-o', 'plain.env'], ['check'], ['check', '--json'], ['check', '--against', '.env']]) {
    const r = runCliWith(inject('bug-decoded.mjs'), args, { cwd: dir })
    const what = args.join(' ')
    assert.equal(r.status, 70, `${what}: ${r.stderr}`)
    assert.match(r.stderr, /^kestra-secrets: internal error \(TypeError\); this is a bug, please report it/, what)
    assert.match(r.stderr, /\n\s+at /, `${what}: the stack`)
    assert.doesNotMatch(r.stderr, /LEAKME/, what)
    assert.ok(!r.stderr.includes(b64(secret).replace(/=+$/, '')), `${what}: nor its base64`)
    assert.equal(r.stdout, '', what)
    assert.equal(existsSync(join(dir, 'plain.env')), false, what)
  }
}))

test('the README\'s Safety section states what these tests prove, with the numbers the code uses', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Safety\n')
  assert.notEqual(start, -1, 'a Safety section')
  // The section runs to the next heading of its level, wherever that is.
  const next = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, next === -1 ? undefined : next).replace(/\s+/g, ' ')
  assert.ok(section.includes(`over ${MAX_INPUT_BYTES / 1024 / 1024} MiB`))
  assert.ok(section.includes('`stdout: error: no space left on the device; the output is incomplete`'))
  // Each exit code, as a number of its own in the bullet about exit codes ("0" alone is in any "0600").
  const exits = /\*\*Exit codes\.\*\*(.*?)(?: - \*\*|$)/.exec(section)?.[1] ?? ''
  assert.notEqual(exits, '', 'an Exit codes bullet')
  for (const [code, meaning] of [[EXIT.ok, 'done'], [EXIT.rejected, 'input rejected'], [EXIT.usage, 'usage error'], [EXIT.bug, 'for an internal error']] as const) {
    assert.match(exits, new RegExp(`(?<![\\d.])${code} ${meaning}`), `exit ${code}`)
  }
  for (const code of [EXIT.interrupted, 143]) assert.match(exits, new RegExp(`(?<![\\d.])${code}(?![\\d.])`), `exit ${code}`)
  for (const claim of ['mode `0600`', 'symbolic link', 'SIGINT', 'named pipe', 'within a second', 'EPIPE', 'never a value']) {
    assert.ok(section.includes(claim), claim)
  }
})

test('150,000 findings: no stack overflow anywhere, the first 20 of a code and a count', longTest, () => withTempDir((dir) => {
  // One finding a line, in encode (lines dotenv does not read), decode and check (not base64).
  writeFileSync(join(dir, 'junk.env'), 'A=1\n' + 'junk line\n'.repeat(150_000))
  const e = runCli(['encode', 'junk.env', '--stdout'], { cwd: dir })
  assert.equal(e.status, 0, e.stderr.slice(0, 500))
  assert.match(e.stderr, /^\.\.\. and 149980 more like the above \(ignored-line\)$/m)
  writeFileSync(join(dir, 'bad_encoded'), 'SECRET_X=not base64!\n'.repeat(150_000))
  // A document's findings went through push(...findings), which overflows past about 125,000.
  writeFileSync(join(dir, 'bad.json'), `{${Array.from({ length: 150_000 }, (_, i) => `"SECRET_K${i}": ${i}`).join(',\n')}}\n`)
  for (const [file, code] of [['bad_encoded', 'invalid-base64'], ['bad.json', 'format-invalid']]) {
    for (const command of ['decode', 'check']) {
      const r = runCli([command, file as string], { cwd: dir })
      assert.equal(r.status, 1, `${command} ${file}: ${r.stderr.slice(0, 500)}`)
      noStack(r.stderr)
      assert.match(r.stderr, new RegExp(`more like the above \\(${code}\\)$`, 'm'), `${command} ${file}`)
    }
  }
}))
