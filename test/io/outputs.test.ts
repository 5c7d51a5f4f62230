// Outputs that are not regular files (issue 15): a character device, a named pipe, a descriptor
// (/dev/fd/N, /proc/self/fd/N, /dev/stdout through a link, >(cmd)) is written into, never renamed
// over; a default output name is never made from an input that is not a regular file; stdin is
// compared with the output as a named input is; temporary names stay within NAME_MAX.
//
// Nothing here writes at a path of the real /dev: on the code before these fixes such a test
// would have replaced /dev/null or /dev/stdout for the whole machine (the tests run as root in
// CI). Devices are made with mknod in a temporary folder, links to /dev are made there too, and
// /dev/null is only looked at.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertNoStack, BIN, runCli, withTempDir, withTempDirAsync } from '../helpers.js'
import { EXIT } from '../../src/errors.js'
import { openOutput, temporaryName, writeOutput } from '../../src/io/write.js'

const ENV = 'A=1\nB="two"\n'
const ENCODED = 'SECRET_A=MQ==\nSECRET_B=dHdv\n'
const PLAIN = 'A=1\nB=two\n'
const sh = (script: string, cwd: string, input = '') =>
  spawnSync('bash', ['-c', script], { cwd, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
const cli = `"${process.execPath}" "${BIN}"`
const isRoot = process.getuid?.() === 0

/** /dev/null as it must stay: the character device 1,3 (Linux). */
function assertDevNullIntact(): void {
  const st = lstatSync('/dev/null')
  assert.ok(st.isCharacterDevice(), '/dev/null is still a character device')
  if (process.platform === 'linux') assert.equal(st.rdev, 259, '/dev/null is still 1,3')
}

test('a character device at the output is written into, not replaced (mknod, as root)', { skip: isRoot ? false : 'mknod needs root' }, () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  // The device of /dev/null, made here: the real one is never at stake.
  assert.equal(spawnSync('mknod', [join(dir, 'null'), 'c', '1', '3']).status, 0)
  for (const args of [['encode', '.env', '-o', 'null'], ['decode', '-o', 'null']]) {
    if (args[0] === 'decode') writeFileSync(join(dir, '.env_encoded'), ENCODED)
    const r = runCli(args, { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '')
    const st = lstatSync(join(dir, 'null'))
    assert.ok(st.isCharacterDevice(), `${args[0]}: still a character device`)
    assert.equal(st.rdev, statSync('/dev/null').rdev)
  }
  // /dev/full, made here too: its ENOSPC is one line, the device stays.
  assert.equal(spawnSync('mknod', [join(dir, 'full'), 'c', '1', '7']).status, 0)
  const full = runCli(['encode', '.env', '-o', 'full'], { cwd: dir })
  assert.equal(full.status, EXIT.rejected)
  assert.equal(full.stderr, 'full: error: no space left on the device; the output is incomplete\n')
  assert.ok(lstatSync(join(dir, 'full')).isCharacterDevice())
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
  assertDevNullIntact()
}))

test('a symbolic link to /dev/null is written through: the link and the device stay', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  symlinkSync('/dev/null', join(dir, 'to-null'))
  const r = runCli(['encode', '.env', '-o', 'to-null'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(lstatSync(join(dir, 'to-null')).isSymbolicLink(), 'the link is still a link')
  assertDevNullIntact()
  // A link to a regular file is still replaced by a file of its own, its target never written.
  writeFileSync(join(dir, 'target'), 'TARGET\n')
  symlinkSync('target', join(dir, 'to-file'))
  assert.equal(runCli(['encode', '.env', '-o', 'to-file'], { cwd: dir }).status, 0)
  assert.equal(lstatSync(join(dir, 'to-file')).isSymbolicLink(), false)
  assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'TARGET\n')
}))

/** Runs `args` with a reader on the named pipe `fifo`, which must get `expected` and stay a pipe. */
async function throughFifo(dir: string, args: string[], expected: string): Promise<void> {
  const fifo = join(dir, 'fifo')
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
  // The reader starts after the writer, as often happens: the writer waits for it, as `>` does.
  const writer = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  let stderr = ''
  writer.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const wrote = new Promise<number | null>((resolve) => writer.on('close', (code) => resolve(code)))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] })
  let got = ''
  reader.stdout.on('data', (c: Buffer) => { got += c.toString() })
  const read = new Promise<void>((resolve) => reader.on('close', () => resolve()))
  // Before the fix the pipe was renamed over, and the reader of the old pipe waited for ever.
  const timer = setTimeout(() => { reader.kill(); writer.kill() }, 10_000)
  const [status] = await Promise.all([wrote, read])
  clearTimeout(timer)
  assert.equal(status, 0, stderr)
  assert.equal(got, expected)
  assert.ok(lstatSync(fifo).isFIFO(), 'still a named pipe')
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
}

test('a named pipe at the output is opened and written into: its reader gets the output', () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  await throughFifo(dir, ['encode', '.env', '-o', 'fifo'], ENCODED)
}))

test('decode -o a named pipe: the same', () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  await throughFifo(dir, ['decode', '-o', 'fifo'], PLAIN)
}))

test('a descriptor at the output (/dev/fd/N, /proc/self/fd/N, a link to /proc/self/fd/1 as /dev/stdout is, >(cmd)) is written into', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  writeFileSync(join(dir, '.env_encoded'), ENCODED)
  // The link that /dev/stdout is, made here.
  symlinkSync('/proc/self/fd/1', join(dir, 'stdout-link'))
  const cases: Array<[string, string, string]> = [
    // [the command line, where its output is read, what is read there]
    [`${cli} encode .env -o /dev/fd/1 | cat`, 'stdout', ENCODED],
    [`${cli} encode .env -o /proc/self/fd/1 > out.txt && cat out.txt`, 'stdout', ENCODED],
    [`${cli} encode .env -o stdout-link | cat`, 'stdout', ENCODED],
    [`${cli} encode .env -o /dev/fd/3 3>fd3.txt && cat fd3.txt`, 'stdout', ENCODED],
    [`${cli} encode .env -o >(cat > sub.txt); wait $!; cat sub.txt`, 'stdout', ENCODED],
    [`${cli} decode -o /dev/fd/1 | cat`, 'stdout', PLAIN],
    [`${cli} decode -o >(cat > sub2.txt); wait $!; cat sub2.txt`, 'stdout', PLAIN],
  ]
  for (const [script, , expected] of cases) {
    const r = sh(script, dir)
    assert.equal(r.status, 0, `${script}: ${r.stderr}`)
    assert.equal(r.stdout, expected, script)
    assert.match(r.stderr, /^(?:en|de)coded 2 secrets from \S+ to \S+\n$/, script)
  }
  assert.ok(lstatSync(join(dir, 'stdout-link')).isSymbolicLink(), 'the link stays')
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('_encoded') && f !== '.env_encoded'), [])
  // The stdout of spawnSync is a socket: written into as well.
  const socket = runCli(['encode', '.env', '-o', '/dev/fd/1'], { cwd: dir })
  assert.equal(socket.status, 0, socket.stderr)
  assert.equal(socket.stdout, ENCODED)
}))

test('a descriptor that is not open, or that Node opened for itself, is one error line', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  const closed = runCli(['encode', '.env', '-o', '/dev/fd/97'], { cwd: dir })
  assert.equal(closed.status, EXIT.rejected)
  assert.equal(closed.stderr, '/dev/fd/97: error: is not an open file descriptor\n')
  if (process.platform === 'linux') {
    // Node's event loop holds an epoll descriptor and pipes of its own among the first ones.
    let nodes = 0
    for (let fd = 3; fd < 9; fd++) {
      const r = runCli(['encode', '.env', '-o', `/dev/fd/${fd}`, '-q'], { cwd: dir })
      assertNoStack(r.stderr)
      assert.equal(r.stdout, '')
      if (r.status === 0) continue
      assert.equal(r.status, EXIT.rejected, r.stderr)
      assert.match(r.stderr, new RegExp(`^/dev/fd/${fd}: error: (?:is not open for this program|is not an open file descriptor)`))
      if (r.stderr.includes('is not open for this program')) nodes++
    }
    // Else the loop could pass on descriptors that are all written into, or all closed.
    assert.ok(nodes > 0, 'at least one of fds 3 to 8 is one of Node\'s own, and refused as such')
  }
}))

test('no output name is made from an input that is not a regular file: -o is asked for (exit 2)', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0)
  const message = (name: string): string =>
    `kestra-secrets: error: ${name} is not a regular file, so no output name can be made from it: give one with -o, or use --stdout\n`
  try {
    for (const [script, name] of [
      [`${cli} encode /dev/stdin < .env`, '/dev/stdin'],
      [`${cli} encode /dev/fd/0 < .env`, '/dev/fd/0'],
      [`${cli} encode /proc/self/fd/0 < .env`, '/proc/self/fd/0'],
      [`${cli} encode fifo`, 'fifo'],
      [`${cli} encode /dev/stdin --format helm < .env`, '/dev/stdin'],
    ] as const) {
      const r = sh(script, dir)
      assert.equal(r.status, EXIT.usage, script)
      assert.equal(r.stderr, message(name), script)
    }
  } finally {
    // Before the fix these went to /dev itself: removed, so that a failure leaves no file there.
    for (const made of ['/dev/stdin_encoded', '/dev/values.secrets.yaml']) {
      if (existsSync(made)) {
        rmSync(made)
        assert.fail(`${made} was written`)
      }
    }
  }
  // Process substitution: bash picks the descriptor.
  const sub = sh(`${cli} encode <(cat .env)`, dir)
  assert.equal(sub.status, EXIT.usage)
  assert.match(sub.stderr, /^kestra-secrets: error: \/dev\/fd\/\d+ is not a regular file, so no output name can be made from it/)
  assert.deepEqual(readdirSync(dir).sort(), ['.env', 'fifo'])
  // With a name, or on stdout, they are read as before.
  const named = sh(`${cli} encode /dev/stdin -o out < .env && cat out`, dir)
  assert.equal(named.status, 0, named.stderr)
  assert.equal(named.stdout, ENCODED)
  const printed = sh(`${cli} encode /dev/stdin --stdout < .env`, dir)
  assert.equal(printed.stdout, ENCODED)
  const dash = sh(`${cli} encode - < .env`, dir)
  assert.equal(dash.stdout, ENCODED)
}))

test('stdin is compared with the output as a named input is: `encode - -o p.env < p.env` is refused', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'p.env'), ENV)
  mkdirSync(join(dir, 'sub'))
  symlinkSync('../p.env', join(dir, 'sub', 'link'))
  for (const script of [
    `${cli} encode - -o p.env < p.env`,
    `${cli} encode - -o sub/link < p.env`,
    `${cli} encode /dev/stdin -o p.env < p.env`,
  ]) {
    const r = sh(script, dir)
    assert.equal(r.status, EXIT.rejected, script)
    assert.match(r.stderr, /^\S+: error: is the input file itself: refusing to write over it; choose another path with -o\n$/, script)
    assert.equal(readFileSync(join(dir, 'p.env'), 'utf8'), ENV, `${script}: the plain file is intact`)
  }
  writeFileSync(join(dir, 'e.env'), ENCODED)
  const d = sh(`${cli} decode - -o e.env < e.env`, dir)
  assert.equal(d.status, EXIT.rejected)
  assert.match(d.stderr, /^e\.env: error: is the input file itself/)
  assert.equal(readFileSync(join(dir, 'e.env'), 'utf8'), ENCODED)
  // A hard link is the same file too.
  const hard = sh(`ln p.env hard && ${cli} encode - -o hard < p.env`, dir)
  assert.equal(hard.status, EXIT.rejected)
  assert.equal(readFileSync(join(dir, 'p.env'), 'utf8'), ENV)
  // Another file, or stdin from a pipe, is fine.
  assert.equal(sh(`${cli} encode - -o other.env < p.env`, dir).status, 0)
  assert.equal(readFileSync(join(dir, 'other.env'), 'utf8'), ENCODED)
  assert.equal(sh(`cat p.env | ${cli} encode - -o piped.env`, dir).status, 0)
  assert.equal(readFileSync(join(dir, 'piped.env'), 'utf8'), ENCODED)
}))

test('temporary names stay within 255 bytes: an output name of 250 bytes is written', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  for (const name of ['x'.repeat(250), 'é'.repeat(127), `${'€'.repeat(84)}ab`]) {
    assert.ok(Buffer.byteLength(name) >= 250 && Buffer.byteLength(name) <= 255)
    const tmp = temporaryName(join(dir, name))
    const base = tmp.slice(dir.length + 1)
    assert.ok(Buffer.byteLength(base) <= 255, `${Buffer.byteLength(base)} bytes`)
    assert.match(base, /^\..+\.tmp$/)
    assert.ok(!base.includes('\uFFFD'), 'no character cut in half')
    const r = runCli(['encode', '.env', '-o', name], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(readFileSync(join(dir, name), 'utf8'), ENCODED)
  }
  // Two names in a row differ, and a short name is kept whole.
  assert.notEqual(temporaryName(join(dir, 'out')), temporaryName(join(dir, 'out')))
  assert.match(temporaryName(join(dir, 'out')), new RegExp(`[\\\\/]\\.out\\.${process.pid}\\.[0-9a-z]+\\.tmp$`))
  // A name past 255 bytes is the system's limit: one line.
  const long = runCli(['encode', '.env', '-o', 'y'.repeat(256)], { cwd: dir })
  assert.equal(long.status, EXIT.rejected)
  assert.match(long.stderr, /^y+: error: the path is too long; nothing was written\n$/)
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
}))

test('a block device at the output is refused with one line (mknod, as root)', { skip: isRoot ? false : 'mknod needs root' }, () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  // A loop device's numbers, made here and never opened: refused before any open.
  assert.equal(spawnSync('mknod', [join(dir, 'disk'), 'b', '7', '200']).status, 0)
  const disk = runCli(['encode', '.env', '-o', 'disk'], { cwd: dir })
  assert.equal(disk.status, EXIT.rejected)
  assert.equal(disk.stderr, 'disk: error: is a disk (a block device): refusing to write over it; choose a file with -o\n')
  assert.ok(lstatSync(join(dir, 'disk')).isBlockDevice())
}))

test('a socket at the output is refused with one line, and stays', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  // A server that exits without closing leaves its socket file behind.
  const sock = join(dir, 'sock')
  const server = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.exit(0))`])
  assert.equal(server.status, 0)
  assert.ok(lstatSync(sock).isSocket())
  const r = runCli(['encode', '.env', '-o', 'sock'], { cwd: dir })
  assert.equal(r.status, EXIT.rejected)
  assert.equal(r.stderr, 'sock: error: is a socket, which cannot be opened as a file: choose a file with -o, or use --stdout\n')
  assert.ok(lstatSync(sock).isSocket())
}))

test('a large output goes through the write buffer in pieces, never cutting a character in two', () => withTempDir((dir) => {
  // 87,381 code units fit the 256 KiB buffer whatever they are: cuts land at a surrogate pair, in
  // several places, and between pieces of text of every width.
  for (const text of [
    'a'.repeat(87_380) + '😀'.repeat(100_000),
    '😀'.repeat(150_000) + 'é'.repeat(90_000) + '日本'.repeat(50_000),
  ]) {
    writeOutput(join(dir, 'out'), text)
    assert.ok(readFileSync(join(dir, 'out')).equals(Buffer.from(text, 'utf8')))
  }
  assert.deepEqual(readdirSync(dir), ['out'])
}))

test('names with control characters are printed escaped: no file or option name writes to the terminal', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), ENV)
  const k8s = `k\x1b[2J.yaml`
  for (const args of [
    ['encode', '.env', '-o', 'x\x1b]0;PWNED\x07\x1b[31mred\nfake'],
    ['encode', 'missing\x1b[2J'],
    ['encode', '.env', '--bo\x1b[2Jgus'],
    ['cmd\x1b[2J'],
    ['encode', '.env', '--format', 'k8s-secret', '-o', k8s],
  ]) {
    const r = runCli(args, { cwd: dir })
    assert.doesNotMatch(r.stderr, /[\x00-\x09\x0b-\x1f\x7f]/, JSON.stringify(args))
    // One line per message: the line feed in the name is no line of its own.
    assert.doesNotMatch(r.stderr, /^fake/m, JSON.stringify(args))
    assertNoStack(r.stderr)
  }
  assert.match(runCli(['encode', 'missing\x1b[2J'], { cwd: dir }).stderr, /^missing\\x1b\[2J: error: no such file\n$/)
}))

test('asking git whether an output is ignored runs no command of the repository\'s config (core.fsmonitor)', () => withTempDir((dir) => {
  if (spawnSync('git', ['--version']).status !== 0) return
  assert.equal(spawnSync('git', ['init', '-q', dir]).status, 0)
  const planted = join(dir, 'ran')
  assert.equal(spawnSync('git', ['-C', dir, 'config', 'core.fsmonitor', `touch '${planted}'; false`]).status, 0)
  writeFileSync(join(dir, '.env'), ENV)
  const r = runCli(['encode', '.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(existsSync(planted), false)
  // And git still answered: the output is not ignored.
  assert.match(r.stderr, /^\.env_encoded: warning: is in a git work tree and not ignored/m)
}))

test('an output path that becomes a named pipe while the output is written is not renamed over', () => withTempDir((dir) => {
  const path = join(dir, 'out')
  const output = openOutput(path)
  output.write(PLAIN)
  assert.equal(spawnSync('mkfifo', [path]).status, 0)
  assert.throws(() => output.commit(), (e: Error) => {
    assert.equal(e.message, 'became a device, a named pipe or a socket while the output was written, which is never replaced; nothing was written')
    return true
  })
  assert.equal(lstatSync(path).isFIFO(), true)
  // The temporary file is gone with it.
  assert.deepEqual(readdirSync(dir), ['out'])
}))
