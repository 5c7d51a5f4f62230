// Short writes (issue 15): write(2) may take only part of its bytes, and Node's process.stdout
// drops the rest without a word when stdout is a file, so a nearly full disk gave a cut output and
// exit 0. `ulimit -f` reproduces it anywhere: the first write past the limit is short, the next
// one fails with EFBIG (Node ignores SIGXFSZ; `trap '' XFSZ` makes sure).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertNoStack, BIN, inject, runCli, withTempDir } from '../helpers.js'
import { EXIT } from '../../src/errors.js'

const sh = (script: string, cwd: string) =>
  spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 })
const cli = `"${process.execPath}" "${BIN}"`
/** 1 KiB at most for every file the command writes (bash counts `ulimit -f` in KiB). */
const limited = (command: string): string => `trap '' XFSZ; ulimit -f 1; ${command}`
const LIMIT = 1024
const SIZE = "the file has reached the size limit (ulimit -f, or the file system's)"

function env(entries: number): string {
  const lines: string[] = []
  for (let i = 0; i < entries; i++) lines.push(`KEY_${i}=value number ${i}`)
  return lines.join('\n') + '\n'
}

test('stdout to a file that cannot take it all: one line, exit 1, no summary', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), env(200))
  writeFileSync(join(dir, '.env_encoded'), runCli(['encode', '.env', '--stdout', '-q'], { cwd: dir }).stdout)
  assert.ok(readFileSync(join(dir, '.env_encoded')).length > 3 * LIMIT)
  for (const args of ['encode .env --stdout', 'encode - < .env', 'decode', 'check .env --json --against .env']) {
    const r = sh(limited(`${cli} ${args} > out`), dir)
    assert.equal(r.status, EXIT.rejected, `${args}: ${r.stderr}`)
    assert.equal(r.stderr.split('\n').filter((l) => l !== '' && !/: (?:warning|note): /.test(l)).join('\n'),
      `stdout: error: ${SIZE}; the output is incomplete`, args)
    assertNoStack(r.stderr)
    assert.equal(readFileSync(join(dir, 'out')).length, LIMIT, `${args}: the shell's file holds what fitted`)
  }
}))

test('-o a file past the limit: nothing is written and no temporary file is left', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), env(200))
  writeFileSync(join(dir, 'out'), 'OLD\n')
  const r = sh(limited(`${cli} encode .env -o out`), dir)
  assert.equal(r.status, EXIT.rejected)
  assert.equal(r.stderr, `out: error: ${SIZE}; nothing was written\n`)
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'OLD\n')
  assert.deepEqual(readdirSync(dir).sort(), ['.env', 'out'])
}))

test('-o a file past the limit, or in no folder: the input is judged first, the write failure told at the end', () => withTempDir((dir) => {
  // encode writes into its temporary file as it encodes; a failure there waits for the input's
  // findings, as when the whole output was written at the end.
  writeFileSync(join(dir, 'warned.env'), env(200) + 'junk\n')
  writeFileSync(join(dir, 'bad.env'), env(200) + 'KEY_1=again\n')
  const warned = sh(limited(`${cli} encode warned.env -o out`), dir)
  assert.equal(warned.status, EXIT.rejected)
  assert.match(warned.stderr, new RegExp(`^warned\\.env:201: warning: a name without .*\nout: error: ${SIZE.replace(/[()]/g, '\\$&')}; nothing was written\n$`))
  for (const output of ['out', 'missing/out']) {
    const bad = sh(limited(`${cli} encode bad.env -o ${output}`), dir)
    assert.equal(bad.status, EXIT.rejected)
    assert.match(bad.stderr, /^bad\.env:201: error: KEY_1 is already defined on line 2;.*\nnothing was written: 1 error\n$/)
  }
  const missing = runCli(['encode', 'warned.env', '-o', 'missing/out'], { cwd: dir })
  assert.match(missing.stderr, /warning: a name without .*\nmissing\/out: error: the folder does not exist: create missing first, or choose another path with -o; nothing was written\n$/)
  assert.deepEqual(readdirSync(dir).sort(), ['bad.env', 'warned.env'])
}))

test('-o a descriptor on a file past the limit: one line, exit 1', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), env(200))
  const r = sh(limited(`${cli} encode .env -o /dev/fd/3 3>fd3`), dir)
  assert.equal(r.status, EXIT.rejected)
  assert.equal(r.stderr, `/dev/fd/3: error: ${SIZE}; the output is incomplete\n`)
  assert.equal(readFileSync(join(dir, 'fd3')).length, LIMIT)
}))

test('a short write that ends well is carried on: every byte arrives', () => withTempDir((dir) => {
  // An injected write that takes at most 7 bytes a call, on every descriptor: stdout, a file, a device.
  writeFileSync(join(dir, '.env'), env(300))
  const expected = runCli(['encode', '.env', '--stdout', '-q'], { cwd: dir }).stdout
  const hook = inject('short-writes.mjs').map((a) => `"${a}"`).join(' ')
  for (const [script, where] of [
    [`"${process.execPath}" ${hook} "${BIN}" encode .env --stdout -q > out`, 'out'],
    [`"${process.execPath}" ${hook} "${BIN}" encode .env -o file -q`, 'file'],
    [`"${process.execPath}" ${hook} "${BIN}" encode .env -o /dev/fd/3 -q 3>fd3`, 'fd3'],
  ] as const) {
    const r = sh(script, dir)
    assert.equal(r.status, 0, `${script}: ${r.stderr}`)
    assert.equal(readFileSync(join(dir, where), 'utf8'), expected, where)
  }
  assert.ok(!existsSync(join(dir, '.env_encoded')))
}))

test('stdout on a non-blocking pipe read slowly: every byte arrives (EAGAIN is waited out)', () => withTempDir((dir) => {
  // 100,000 entries, encoded in a tenth of a second: far more than a pipe holds before its reader
  // wakes up. The hook makes fd 1 non-blocking, as a parent's libuv or an earlier process.stdout would.
  const lines: string[] = []
  for (let i = 0; i < 100_000; i++) lines.push(`K${i}=v${i}`)
  writeFileSync(join(dir, 'big.env'), lines.join('\n') + '\n')
  const hook = inject('nonblocking-stdout.mjs').map((a) => `"${a}"`).join(' ')
  const r = sh(`"${process.execPath}" ${hook} "${BIN}" encode big.env --stdout -q | (sleep 0.5; wc -l)`, dir)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), '100000')
  assertNoStack(r.stderr)
}))
