// src/core/plain-wasm.ts is generated from src/core/plain.wat and committed (so that installing
// the package needs no WebAssembly tools): it must be what the WAT compiles to today.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { KUBECTL_MAX_LINE_BYTES } from '../src/core/formats/limits.js'
import { ROOT } from './helpers.js'

interface Compiler {
  compileWat(source: string): Promise<Buffer>
  render(binary: Buffer): string
}

test('the committed WebAssembly module is what src/core/plain.wat compiles to', async () => {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'wasm.js'), '--check'], { encoding: 'utf8' })
  assert.equal(check.status, 0, check.stderr)
  const compiler = await import(pathToFileURL(join(ROOT, 'scripts', 'wasm-compile.js')).href) as Compiler
  const source = readFileSync(join(ROOT, 'src', 'core', 'plain.wat'), 'utf8')
  const committed = readFileSync(join(ROOT, 'src', 'core', 'plain-wasm.ts'), 'utf8')
  assert.equal(compiler.render(await compiler.compileWat(source)), committed)
  // The comparison can fail: a one-constant change to the source changes the module.
  const changed = source.replace('(i32.const 0x3d))\n                (local.set $o (i32.add (local.get $o) (i32.const 4)))))',
    '(i32.const 0x3e))\n                (local.set $o (i32.add (local.get $o) (i32.const 4)))))')
  assert.notEqual(changed, source)
  assert.notEqual(compiler.render(await compiler.compileWat(changed)), committed)
})

test('the WAT\'s line limit is the one checkLimits uses', () => {
  const source = readFileSync(join(ROOT, 'src', 'core', 'plain.wat'), 'utf8')
  const m = /\(global \$KUBECTL_MAX_LINE_BYTES i32 \(i32\.const (\d+)\)\)/.exec(source)
  assert.equal(Number(m?.[1]), KUBECTL_MAX_LINE_BYTES)
})
