// Nothing leaked, for encode in every format and for decode and check fed YAML and JSON documents:
// every diagnostic runs on values that carry unique markers (Markers, in helpers.ts), and no
// marker, nor the base64 of one, may appear on stderr; stdout carries only the requested output
// (encode's: base64, never a plaintext marker). check.leaks.test.ts does the same for check and
// decode on env files. The runs are in-process (the same run() the bin calls), with a few
// black-box runs of the bin to show that the process around it adds nothing.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Markers, assertNoStack, base64Fragments, runCli, runInProcess, withTempDirAsync } from '../helpers.js'
import { encodeEnv } from '../../src/core/encode.js'
import { FORMATS } from '../../src/core/formats/index.js'
import { checkLimits } from '../../src/core/formats/limits.js'

test('the markers catch a value in every form it could leak in', () => {
  const m = new Markers()
  const value = m.value('-tail')
  const marker = value.slice(0, 8)
  for (const leak of [value, marker, `x${Buffer.from(`ab${value}cd`).toString('base64')}`, Buffer.from(`${value}`).toString('base64'),
    Buffer.from(Buffer.from(value).toString('base64')).toString('base64')]) {
    assert.throws(() => m.assertNoLeak('test', `before ${leak} after`), { name: 'AssertionError' }, leak)
  }
  // Whatever the offset, the base64 of a text holding the marker holds one of its fragments.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.from(`${'z'.repeat(shift)}${marker}`).toString('base64')
    assert.ok(base64Fragments(marker).some((f) => encoded.includes(f)), `offset ${shift}`)
  }
  assert.throws(() => m.assertNoPlaintext('test', 'Mk999zQx'), /shows a marker/)
  m.assertNoLeak('test', 'nothing here: SECRET_TOKEN line 3')
})

const ENCODE_CODES = [
  'binary', 'duplicate', 'case-collision', 'already-encoded', 'ignored-line', 'bare-name', 'hash-in-value',
  'text-after-quote', 'unterminated-quote', 'literal-escape', 'name-not-portable', 'already-prefixed', 'ignored-name',
  'no-entries', 'secret-limit', 'kubectl-line-limit', 'value-in-name',
]

/** Inputs that reach every diagnostic of encode (and, in the right format, the limits). */
function encodeInputs(m: Markers): Record<string, string | Buffer> {
  const v = (text = ''): string => m.value(text)
  return {
    'case-collision': `token=${v()}\nTOKEN=${v()}\n`,
    'duplicate': `A=${v()}\nB=${v()}\nA=${v()}\n`,
    'hash-in-value': `PASS=${v()}#${v()}\n`,
    'text-after-quote': `Q="${v()}" ${v()}\n`,
    'unterminated-quote': `Q="${v()}\nR=${v()}\n`,
    // A value commented out over several lines: one encoded line; and one whose quote never closes.
    'commented-out value': `# OLD="${v()}\n# ${v()}\n#${v()}"\nA=${v()}\n`,
    'unterminated-quote (commented out)': `# OLD='${v()}\n# ${v()}\n\nA=${v()}\n`,
    'literal-escape': `E="${v()}\\t${v()}"\n`,
    'ignored-line': `${v()} ${v()}\nA=${v()}\n`,
    'bare-name': `${v()}\nA=${v()}\n`,
    'already-encoded': `SECRET_A=${m.b64(v())}\n`,
    'already-prefixed and names': `SECRET_B=${v()}\nmy.key=${v()}\n__proto__=${v()}\n`,
    'no-entries': '# nothing but a comment\n',
    // A line of an unquoted key that dotenv reads as an entry: its name is the value's base64.
    'value-in-name': `KEY=-----BEGIN KEY-----\n${m.b64(v('and more of the key')).replace(/[+/=]/g, '')}==\n-----END KEY-----\n`,
    'binary': `A=${v()}\n\0${v()}\n`,
    'not UTF-8': Buffer.concat([Buffer.from(`A=${v()}\nB=${v()}`), Buffer.from([0xff]), Buffer.from(`${v()}\n`)]),
    // env: a line kubectl stops at; k8s-secret: a key Kubernetes refuses, and too much data.
    'kubectl-line-limit': `BIG=${v('x'.repeat(50_000))}\nAFTER=${v()}\n`,
    'secret-limit (name)': `${'N'.repeat(250)}=${v()}\n`,
    'secret-limit (size)': `HUGE=${v('y'.repeat(800_000))}\n`,
  }
}

test('encode: no diagnostic, in any format or mode, shows a value or its base64', async () => withTempDirAsync(async (dir) => {
  const m = new Markers()
  const inputs = encodeInputs(m)
  let runs = 0
  for (const [name, text] of Object.entries(inputs)) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.env`)
    writeFileSync(file, text)
    for (const format of FORMATS) {
      for (const mode of [[], ['--strict'], ['--allow-duplicates'], ['--force'], ['-q']]) {
        const out = join(dir, 'out')
        rmSync(out, { force: true })
        for (const target of [['--stdout'], ['-o', out]]) {
          const args = ['encode', file, '--format', format, ...mode, ...target]
          const r = await runInProcess(args)
          const what = `${name}: ${args.slice(2).join(' ')}`
          runs++
          assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}`)
          assertNoStack(r.stderr, what)
          m.assertNoLeak(`${what}: stderr`, r.stderr)
          if (target[0] === '--stdout') {
            m.assertNoPlaintext(`${what}: stdout`, r.stdout)
          } else {
            assert.equal(r.stdout, '', `${what}: stdout`)
            if (existsSync(out)) m.assertNoPlaintext(`${what}: the file written`, readFileSync(out, 'utf8'))
          }
        }
      }
    }
  }
  assert.equal(runs, Object.keys(inputs).length * FORMATS.length * 5 * 2)
  // The inputs do reach every diagnostic encode has (the git warning is in the next test).
  const reached = new Set<string>()
  for (const text of Object.values(inputs)) {
    if (typeof text !== 'string') continue
    for (const options of [{}, { allowDuplicates: true }, { force: true }]) {
      const result = encodeEnv(text, options)
      for (const d of result.diagnostics) reached.add(d.code)
      for (const format of FORMATS) for (const d of checkLimits(format, result.entries)) reached.add(d.code)
    }
  }
  assert.deepEqual([...ENCODE_CODES].filter((c) => !reached.has(c)), [])
}))

test('encode: the git warning, output errors and the bin itself show no value either', async (t) => withTempDirAsync(async (dir) => {
  const m = new Markers()
  const inputs = encodeInputs(m)
  writeFileSync(join(dir, 'all.env'), Object.entries(inputs)
    .filter(([name]) => !/binary|UTF-8|limit|already-encoded|collision/.test(name)).map(([, t]) => t).join(''))
  const git = spawnSync('git', ['init', '-q', dir]).status === 0
  if (!git) t.diagnostic('git is not installed: the warning about a tracked output is not checked')
  mkdirSync(join(dir, 'folder'))
  // [arguments after the format, exit, what stderr says]: in-process, in the folder; stdin is the bin's.
  const cases: Array<[string[], number, RegExp]> = [
    [['--allow-duplicates', '-o', 'tracked'], 0, git ? /^tracked: warning: is in a git work tree/m : /^encoded \d+ secrets/m],
    [['-o', 'tracked', '--strict'], 1, /^all\.env:\d+: error: /m],
    [['--allow-duplicates', '-o', 'folder'], 1, /^folder: error: is a folder/m],
    [['--allow-duplicates', '-o', 'no/such/folder'], 1, /^no\/such\/folder: error: the folder does not exist/m],
    [['-o', 'all.env', '--allow-duplicates'], 1, /^all\.env: error: is the input file itself/m],
    [['--allow-duplicates', '-o', '-'], 0, /^encoded \d+ secrets from all\.env to stdout/m],
  ]
  for (const format of FORMATS) {
    for (const [extra, status, message] of cases) {
      const args = ['encode', 'all.env', '--format', format, ...extra]
      const r = await runInProcess(args, { cwd: dir })
      const what = args.join(' ')
      assert.equal(r.status, status, `${what}: ${r.stderr}`)
      assert.match(r.stderr, message, what)
      assertNoStack(r.stderr, what)
      m.assertNoLeak(`${what}: stderr`, r.stderr)
      m.assertNoPlaintext(`${what}: stdout`, r.stdout)
    }
    const args = ['encode', '-', '--format', format, '--allow-duplicates']
    const r = runCli(args, { cwd: dir, input: readFileSync(join(dir, 'all.env')) })
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
    assert.notEqual(r.stdout, '', args.join(' '))
    assertNoStack(r.stderr, args.join(' '))
    m.assertNoLeak(`${args.join(' ')}: stderr`, r.stderr)
    m.assertNoPlaintext(`${args.join(' ')}: stdout`, r.stdout)
  }
  // The bin, writing a file in a work tree, as the in-process runs did.
  const tracked = runCli(['encode', 'all.env', '--allow-duplicates', '-o', 'tracked'], { cwd: dir })
  assert.equal(tracked.status, 0, tracked.stderr)
  if (git) assert.match(tracked.stderr, /tracked: warning: is in a git work tree/)
  m.assertNoLeak('the bin: stderr', tracked.stderr)
}))

/** YAML and JSON documents for decode and check, right and broken, with marked values. */
function formattedInputs(m: Markers): Record<string, string> {
  const v = (text = ''): string => m.value(text)
  const b64 = (s: string): string => m.b64(s)
  const raw = (s: string): string => m.raw(s)
  const helm = (items: string): string => `common:\n  extraEnv:\n${items}`
  const item = (name: string, value: string): string => `    - name: ${name}\n      value: ${value}\n`
  return {
    'helm': helm(item('SECRET_A', `"${b64(v())}"`) + item('SECRET_B', `"${b64(`${v()}\u0001`)}"`)),
    'helm, not base64': helm(item('SECRET_A', raw(`${v()} plain`)) + item('SECRET_B', `"${raw(`${b64(v())}=`)}"`)),
    'helm, not strings': helm(item('SECRET_A', '[1, 2]') + item('SECRET_B', 'yes') + item('SECRET_C', `{k: ${raw(v())}}`)),
    'helm, template': helm(item('SECRET_A', `'{{ "${raw(v())}" | base64encode }}'`)),
    'helm, broken YAML': helm(item('SECRET_A', `"${b64(v())}`) + `    - name: SECRET_B\n\t  value: ${raw(v())}\n`),
    'helm, duplicate key': helm(`    - name: SECRET_A\n      value: "${b64(v())}"\n      value: "${b64(v())}"\n`),
    'helm-legacy': `extraEnv:\n  - name: SECRET_A\n    value: "${b64(v())}"\n  - name: secret_b\n    value: "${b64(v())}"\n`,
    'k8s-secret': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  SECRET_A: "${b64(b64(v()))}"\n` +
      `  SECRET_B: "${raw(`${v()}!`)}"\n  SECRET_C: "${m.b64(Buffer.concat([Buffer.from(v()), Buffer.from([0xff])]))}"\n` +
      `stringData:\n  SECRET_D: "${raw(`${v()} plain`)}"\n  SECRET_E: "${b64(v())}"\n`,
    'json': `{\n  "SECRET_A": "${b64(v())}",\n  "SECRET_B": "${raw(`${v()}!`)}",\n  "SECRET_C": 12,\n  "SECRET_C": "${b64(v())}"\n}\n`,
    'json, broken': `{\n  "SECRET_A": "${b64(v())}",\n  "SECRET_B": "${raw(v())}\n`,
    'json, an array': `["${raw(v())}", "${b64(v())}"]\n`,
  }
}

test('decode and check fed YAML and JSON documents show no value', async () => withTempDirAsync(async (dir) => {
  const m = new Markers()
  writeFileSync(join(dir, '.env'), `A=${m.value()}\nSTALE=${m.value()}\n`)
  for (const [name, text] of Object.entries(formattedInputs(m))) {
    const file = join(dir, name.startsWith('json') ? '.env_encoded.json' : name.startsWith('k8s') ? 'secret.yaml' : 'values.secrets.yaml')
    writeFileSync(file, text)
    for (const args of [
      ['check', file], ['check', file, '--json'], ['check', file, '--strict'], ['check', file, '--against', join(dir, '.env')],
      ['decode', file], ['decode', file, '--strict'], ['decode', file, '-o', join(dir, 'out.env')],
    ]) {
      const r = await runInProcess(args)
      const what = `${name}: ${args[0]} ${args.slice(2).join(' ')}`
      assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}`)
      assertNoStack(r.stderr, what)
      m.assertNoLeak(`${what}: stderr`, r.stderr)
      // check's stdout is its JSON report; decode's stdout is the .env asked for.
      if (args[0] === 'check') m.assertNoLeak(`${what}: stdout`, r.stdout)
      else if (r.status !== 0) assert.equal(r.stdout, '', what)
    }
  }
}))

test('a line of base64 that dotenv reads as a name is never shown in a message, by any command', async () => withTempDirAsync(async (dir) => {
  // base64 without + or / that ends in =: dotenv reads the run before = as a name (a wrapped or
  // cut value, a commented-out key's body); each run below is the base64 of a secret.
  const runs = ['hunter2XYZ', 'worldsecret', 'correcthorse!'].map((s) => Buffer.from(s).toString('base64').replace(/=+$/, ''))
  for (const run of runs) assert.match(run, /^[A-Za-z0-9]+$/, run)
  const [a, b, c] = runs as [string, string, string]
  const write = (name: string, text: string): string => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  const plain = write('plain.env', [
    '# OLD_KEY="-----BEGIN KEY-----', `# ${a}=`, '# -----END KEY-----"',
    'PRIVATE=-----BEGIN', `${a}==`, `${a}==`, `${a.toUpperCase()}==`, `${b}=x#y`, `${c}=$${b}`, '',
  ].join('\n'))
  // (secret_<base64>: the prefix in the wrong case, which check says how to write.)
  const encoded = write('x.env_encoded', `SECRET_X=aGVsbG8=\n${a}==\nSECRET_${a}=aGVsbG8=\nSECRET_${b}=aGVsbG8=\nSECRET_${b}=aGVsbG8=\nsecret_${c}=aGVsbG8=\n`)
  // A name of 8,000 prefixes before the base64: displayName recursed once a prefix, past the stack.
  const deep = write('deep.env', `${'SECRET_'.repeat(8000)}${a}=1\n`)
  const flow = write('flow.yml', "id: f\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ secret('X') }}\"\n")
  const against = write('against.env', `X=hello\n${c}==\n`)
  const cases = [
    ['encode', plain, '--stdout'], ['encode', plain, '--stdout', '--allow-duplicates'], ['encode', plain, '--stdout', '--expand'],
    ['decode', encoded], ['check', encoded], ['check', encoded, '--json'], ['check', write('ok.enc', 'SECRET_X=aGVsbG8=\n'), '--against', against],
    ['encode', deep, '--stdout'], ['check', deep],
    // Each secret no flow uses is a note that names it.
    ['check', encoded, '--flows', flow], ['check', encoded, '--flows', flow, '--json'],
  ]
  for (const args of cases) {
    const r = await runInProcess(args)
    const what = args.join(' ')
    assertNoStack(r.stderr, what)
    assert.match(r.stderr + r.stdout, /<base64>/, `${what}: the names are there, hidden`)
    // (Its upper-cased copy on line 7 is shown: it is no base64 of anything, and reads as a name.)
    for (const run of runs) {
      assert.ok(!r.stderr.includes(run.slice(0, 12)), `${what}: stderr shows ${run}:\n${r.stderr}`)
      if (args[0] === 'check') assert.ok(!r.stdout.includes(run.slice(0, 12)), `${what}: stdout shows ${run}`)
    }
  }
}))
