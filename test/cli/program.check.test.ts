// argv → invocation for decode and check, and the library exports of issue 3.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Invocation } from '../../src/commands/invocation.js'
import { parseArgs } from '../../src/cli/program.js'
import { UsageError } from '../../src/errors.js'
import * as lib from '../../src/index.js'

function parse(argv: string[]): Invocation | undefined {
  return parseArgs(argv, { out: () => {}, err: () => {} })
}

test('argv → invocation: decode and check', () => {
  const table: Array<[string[], Partial<Invocation>]> = [
    [['decode'], { command: 'decode', file: undefined, options: {} }],
    [['decode', '-'], { command: 'decode', file: '-', options: {} }],
    [['decode', 'x', '-o', '.env'], { file: 'x', options: { output: '.env' } }],
    [['decode', '--output=-', '--strict', '-q'], { options: { output: '-', strict: true, quiet: true } }],
    [['check'], { command: 'check', file: undefined, options: {} }],
    [['check', 'enc', '--against', '.env', '--flows', 'flows/', '--json', '--strict', '--quiet'],
      { file: 'enc', options: { against: '.env', flows: 'flows/', json: true, strict: true, quiet: true } }],
    [['--no-color', 'check'], { command: 'check', color: false }],
  ]
  for (const [argv, expected] of table) {
    const inv = parse(argv)
    assert.ok(inv, argv.join(' '))
    for (const [k, v] of Object.entries(expected)) {
      assert.deepEqual((inv as unknown as Record<string, unknown>)[k], v, `${argv.join(' ')}: ${k}`)
    }
  }
})

test('usage errors: exit 2', () => {
  for (const argv of [['check', '--against'], ['check', '--flows'], ['decode', '--stdout'], ['check', '-o', 'x'], ['decode', 'a', 'b']]) {
    assert.throws(() => parse(argv), (e: unknown) => e instanceof UsageError && e.code === 2, argv.join(' '))
  }
})

test('the library exports decodeEnv and checkEncoded', () => {
  const r: lib.DecodeResult = lib.decodeEnv('SECRET_A=eA==\n')
  assert.equal(r.text, 'A=x\n')
  const c: lib.CheckResult = lib.checkEncoded('SECRET_A=eA==\n', { name: 'f' })
  assert.ok(c.ok)
})
