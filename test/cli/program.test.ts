import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Invocation } from '../../src/commands/invocation.js'
import { parseArgs } from '../../src/cli/program.js'
import { UsageError } from '../../src/errors.js'
import { colorLevel } from '../../src/cli/color.js'

function parse(argv: string[]): { inv: Invocation | undefined; out: string; err: string } {
  let out = ''
  let err = ''
  const inv = parseArgs(argv, { out: (s) => { out += s }, err: (s) => { err += s } })
  return { inv, out, err }
}

test('argv → invocation', () => {
  const table: Array<[string[], Partial<Invocation>]> = [
    [['encode'], { command: 'encode', file: undefined, options: {} }],
    [['encode', '.env'], { command: 'encode', file: '.env', options: {} }],
    [['encode', '-'], { command: 'encode', file: '-', options: {} }],
    [['encode', '.env', '-o', 'out/x'], { file: '.env', options: { output: 'out/x' } }],
    [['encode', '--output=deploy/.env_encoded'], { options: { output: 'deploy/.env_encoded' } }],
    [['encode', '.env', '--stdout'], { options: { stdout: true } }],
    [['encode', '-o', '-', '--stdout'], { options: { output: '-', stdout: true } }],
    [['encode', '--allow-duplicates', '--force', '--strict', '-q'],
      { options: { allowDuplicates: true, force: true, strict: true, quiet: true } }],
    [['encode', '--quiet'], { options: { quiet: true } }],
    [['--no-color', 'encode'], { command: 'encode', color: false }],
    [['encode', '--no-color'], { command: 'encode', color: false }],
    [['encode'], { color: undefined }],
    // run: the file and our options before the first --, the command (options and all) after it.
    [['run', '--', 'node', '-e', '1'], { command: 'run', file: undefined, passThrough: ['node', '-e', '1'] }],
    [['run', '.env', '--', 'cmd', '--flag'], { file: '.env', options: {}, passThrough: ['cmd', '--flag'] }],
    [['run', '--strict', '-q', 'prod.env', '--', 'cmd'], { file: 'prod.env', options: { strict: true, quiet: true }, passThrough: ['cmd'] }],
    [['run', '--allow-duplicates', '--force', '--', 'cmd'], { options: { allowDuplicates: true, force: true } }],
    [['run', '-', '--', 'cmd', '--', '-q'], { file: '-', options: {}, passThrough: ['cmd', '--', '-q'] }],
    [['--no-color', 'run', '--', 'cmd', '--no-color'], { color: false, passThrough: ['cmd', '--no-color'] }],
    [['run', '--', 'cmd', '--no-color'], { color: undefined }],
    [['encode', '--', '-weird.env'], { file: '-weird.env', passThrough: undefined }],
  ]
  for (const [argv, expected] of table) {
    const { inv } = parse(argv)
    assert.ok(inv, argv.join(' '))
    for (const [k, v] of Object.entries(expected)) {
      assert.deepEqual((inv as unknown as Record<string, unknown>)[k], v, `${argv.join(' ')}: ${k}`)
    }
  }
})

test('usage errors are UsageErrors (exit 2) with one line', () => {
  const bad: Array<[string[], RegExp]> = [
    [[], /no command given/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['encode', '--bogus'], /unknown option '--bogus'/],
    [['encode', '-o'], /argument missing/],
    [['encode', 'a', 'b'], /too many arguments/],
    [['encode', '--stdout', '-o', 'file'], /--stdout and --output/],
    [['run'], /starts the command given after --/],
    [['run', 'node', '-e', '1'], /starts the command given after --/],
    [['run', '.env', '--'], /nothing after --/],
    [['run', '.env', '--', ''], /the command after -- is empty/],
    [['run', '--', '', 'x'], /the command after -- is empty/],
    [['run', '--stdout', '--', 'cmd'], /unknown option '--stdout'/],
    [['run', 'a', 'b', '--', 'cmd'], /too many arguments/],
    // An empty path, which the file system would answer with `: error: no such file`.
    [['encode', '.env', '-o', ''], /^--output is given an empty path: give a file path, or - for stdout$/],
    [['encode', '.env', '--output='], /^--output is given an empty path: give a file path, or - for stdout$/],
    [['decode', '-o', ''], /^--output is given an empty path: give a file path, or - for stdout$/],
    [['check', 'x', '--against', ''], /^--against is given an empty path: give the path of the plain \.env file, or - for stdin$/],
    [['check', 'x', '--flows', ''], /^--flows is given an empty path: give the path of the folder \(or the file\) of the flows$/],
    [['encode', ''], /^the file name given to encode is empty: give the file to read, or - for stdin$/],
    [['check', 'x', ''], /^the file name given to check is empty/],
    [['run', '', '--', 'cmd'], /^the file name given to run is empty/],
  ]
  for (const [argv, message] of bad) {
    assert.throws(() => parse(argv), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${argv.join(' ')} should be a usage error`)
      assert.equal(e.code, 2)
      assert.match(e.message, message)
      assert.equal(e.message.includes('\n'), false)
      return true
    })
  }
})

test('--help and --version print on stdout and give no invocation', () => {
  const help = parse(['--help'])
  assert.equal(help.inv, undefined)
  // Every command with its usage, however the program's help is asked for (only the command named
  // on a line is built whole; the program's help builds them all).
  for (const argv of [['--help'], ['-h', 'encode'], ['--no-color', '--help', 'check']]) {
    const out = parse(argv).out
    for (const usage of ['encode [options] [file]', 'decode [options] [file]', 'check [options] [files...]', 'run [options] [file]']) {
      assert.ok(out.includes(`  ${usage}  `), `${argv.join(' ')}: ${usage}`)
    }
  }
  assert.throws(() => parse(['--no-color', 'encodee']), (e: unknown) => e instanceof UsageError && /Did you mean encode\?/.test(e.message))
  assert.throws(() => parse(['decode', '--expnd']), (e: unknown) => e instanceof UsageError && /Did you mean --expand\?/.test(e.message))
  const encodeHelp = parse(['encode', '--help'])
  assert.equal(encodeHelp.inv, undefined)
  for (const flag of ['--output', '--stdout', '--allow-duplicates', '--force', '--strict', '--quiet']) {
    assert.ok(encodeHelp.out.includes(flag), flag)
  }
  const runHelp = parse(['run', '--help'])
  assert.equal(runHelp.inv, undefined)
  assert.match(runHelp.out, /^Usage: kestra-secrets run \[options\] \[file\] -- command \[args\.\.\.\]$/m)
  assert.equal(parse(['run', '.env', '--help', '--', 'cmd']).inv, undefined, '--help before -- is ours')
  const version = parse(['--version'])
  assert.equal(version.inv, undefined)
  assert.match(version.out, /^\d+\.\d+\.\d+/)
})

test('colour: --no-color, FORCE_COLOR, NO_COLOR, then the terminal decide, in that order', () => {
  const table: Array<[boolean | undefined, NodeJS.ProcessEnv, boolean, number]> = [
    [undefined, {}, true, 1],
    [undefined, {}, false, 0],
    [false, {}, true, 0],
    [false, { FORCE_COLOR: '1' }, true, 0],
    [undefined, { NO_COLOR: '1' }, true, 0],
    [undefined, { NO_COLOR: '' }, true, 1],
    [undefined, { FORCE_COLOR: '1' }, false, 1],
    [undefined, { FORCE_COLOR: '' }, false, 1],
    [undefined, { FORCE_COLOR: '3' }, false, 3],
    [undefined, { FORCE_COLOR: '0' }, true, 0],
    [undefined, { FORCE_COLOR: 'false' }, true, 0],
    [undefined, { FORCE_COLOR: '2', NO_COLOR: '1' }, false, 2],
    [undefined, { TERM: 'dumb' }, true, 0],
    [undefined, { TERM: 'xterm-256color' }, true, 2],
    [undefined, { COLORTERM: 'truecolor' }, true, 3],
  ]
  for (const [flag, env, tty, level] of table) {
    assert.equal(colorLevel(flag, env, tty), level, JSON.stringify([flag, env, tty]))
  }
})
