// What `encode` loads at start-up, told by what it does, not by timings: the modules Node loads
// for it, with stderr on /dev/null (`2>/dev/null` in scripts, and hyperfine's default), a file and
// a terminal.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, withTempDir } from './helpers.js'

/** The built-in modules a run of `encode` loaded that `node -e 0` does not, with stderr on `stderr`. */
function extraModules(dir: string, stderr: string): string[] {
  const list = join(dir, 'modules.json')
  const hook = join(dir, 'hook.cjs')
  writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)))\n`)
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm' }
  const base = spawnSync(process.execPath, ['-r', hook, '-e', '0'], { env, stdio: 'ignore' })
  assert.equal(base.status, 0)
  const before = new Set(JSON.parse(readFileSync(list, 'utf8')) as string[])
  const fd = openSync(stderr, 'w')
  try {
    const r = spawnSync(process.execPath, ['-r', hook, BIN, 'encode', '.env', '-o', 'out'], { cwd: dir, env, stdio: ['ignore', 'ignore', fd] })
    assert.equal(r.status, 0)
  } finally {
    closeSync(fd)
  }
  return (JSON.parse(readFileSync(list, 'utf8')) as string[]).filter((m) => !before.has(m))
}

test('stderr on /dev/null or a file: no tty, stream or socket code is loaded', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\nB="two"\n')
  for (const stderr of ['/dev/null', join(dir, 'stderr.txt')]) {
    const extra = extraModules(dir, stderr)
    assert.deepEqual(extra.filter((m) => /\b(?:tty|net|stream|streams\/\w+)$/.test(m)), [], `${stderr}: ${extra.join(', ')}`)
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'SECRET_A=MQ==\nSECRET_B=dHdv\n')
  }
  assert.equal(readFileSync(join(dir, 'stderr.txt'), 'utf8'), 'encoded 2 secrets from .env to out\n')
}))

test('stderr on a terminal is still coloured', (t) => withTempDir((dir) => {
  // util-linux's script gives the command a terminal.
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) {
    t.skip('no script(1) to make a terminal')
    return
  }
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm' }
  const command = [process.execPath, BIN, 'encode', '.env', '-o', 'out'].map((a) => `'${a}'`).join(' ')
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /\u001b\[32mencoded 1 secret from \.env to out\u001b\[39m/)
}))
