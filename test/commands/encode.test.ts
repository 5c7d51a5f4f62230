import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { BIN, kestraDecode, ROOT, runCli, runInProcess, withTempDir, withTempDirAsync } from '../helpers.js'
import { encodeEnv } from '../../src/core/encode.js'

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const SAMPLE = '# db\nDB_PASSWORD="hunter2" # prod\nexport API_KEY=abc\n'
const SAMPLE_OUT = `# db\n# prod\nSECRET_DB_PASSWORD=${b64('hunter2')}\nSECRET_API_KEY=${b64('abc')}\n`
const mode = (p: string): number => statSync(p).mode & 0o777

/** Asserts a failure printed one line per problem and no stack trace. */
function assertCleanFailure(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace')
  assert.doesNotMatch(stderr, /internal error/)
  assert.ok(stderr.trim().length > 0)
}

test('encode with no argument reads .env and writes .env_encoded with mode 0600', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  const r = runCli(['encode'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, 'encoded 2 secrets from .env to .env_encoded\n')
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), SAMPLE_OUT)
  assert.equal(mode(join(dir, '.env_encoded')), 0o600)
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env_encoded'], 'no temporary file left')
}))

test('-o writes where asked; --stdout and -o - print the result only on stdout', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  mkdirSync(join(dir, 'deploy'))
  const o = runCli(['encode', '.env', '-o', 'deploy/.env_encoded'], { cwd: dir })
  assert.equal(o.status, 0, o.stderr)
  assert.equal(readFileSync(join(dir, 'deploy/.env_encoded'), 'utf8'), SAMPLE_OUT)
  for (const args of [['encode', '.env', '--stdout'], ['encode', '.env', '-o', '-']]) {
    const r = runCli(args, { cwd: dir })
    assert.equal(r.status, 0)
    assert.equal(r.stdout, SAMPLE_OUT)
    assert.equal(r.stderr, 'encoded 2 secrets from .env to stdout\n')
  }
  assert.equal(existsSync(join(dir, '.env_encoded')), false)
}))

test('- reads stdin and prints to stdout', () => withTempDir((dir) => {
  const r = runCli(['encode', '-'], { cwd: dir, input: SAMPLE })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, SAMPLE_OUT)
  assert.match(r.stderr, /from <stdin> to stdout/)
  assert.deepEqual(readdirSync(dir), [])
  const toFile = runCli(['encode', '-', '-o', 'out.env'], { cwd: dir, input: SAMPLE })
  assert.equal(toFile.status, 0)
  assert.equal(toFile.stdout, '')
  assert.equal(toFile.stderr, 'encoded 2 secrets from <stdin> to out.env\n')
  assert.equal(readFileSync(join(dir, 'out.env'), 'utf8'), SAMPLE_OUT)
}))

test('values arrive in Kestra exactly as dotenv reads them (CRLF, BOM, quotes, multi-line)', () => withTempDir((dir) => {
  const src = '\uFEFF# c\r\nA="multi\r\nline"\r\nB=\'single # not a comment\'\r\nC=`back`\r\nexport D=x=y$z\r\nE: colon\r\nF="esc\\nnl"\r\nG=last'
  writeFileSync(join(dir, '.env'), src)
  const r = runCli(['encode'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  const out = readFileSync(join(dir, '.env_encoded'), 'utf8')
  assert.ok(out.startsWith('# c\r\n'), 'BOM dropped, CRLF kept')
  assert.ok(out.split('\r\n').every((l) => !l.includes('\n')), 'CRLF everywhere')
  const expected = dotenv.parse(src)
  const written = dotenv.parse(out)
  assert.deepEqual(Object.keys(written), Object.keys(expected).map((k) => `SECRET_${k}`))
  for (const [k, v] of Object.entries(expected)) assert.equal(kestraDecode(written[`SECRET_${k}`] as string), v, k)
}))

test('errors write nothing and leave an existing output untouched', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\nA=2\n')
  writeFileSync(join(dir, '.env_encoded'), 'OLD\n')
  const r = runCli(['encode'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^\.env:2: error: A is already defined on line 1/)
  assertCleanFailure(r.stderr)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), 'OLD\n')
  // The output is written into its temporary file as it is made: a rejected run removes it.
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env_encoded'], 'no temporary file left')
  const allowed = runCli(['encode', '--allow-duplicates'], { cwd: dir })
  assert.equal(allowed.status, 0)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), `SECRET_A=${b64('2')}\n`)
  assert.match(allowed.stderr, /\.env:1: warning: A is defined again on line 2/)
  // The error's advice is to pass --allow-duplicates: not once it is passed, --strict or not.
  assert.match(r.stderr, /, or pass --allow-duplicates to keep the last\n/)
  assert.doesNotMatch(allowed.stderr, /pass --allow-duplicates/)
  const strict = runCli(['encode', '--allow-duplicates', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /^\.env:1: error: A is defined again on line 2; this definition is left out and the last one is kept, as dotenv does\n/)
}))

test('refuses to write over its own input, by path or through a hard link', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  for (const out of ['.env', './.env', join(dir, '.env')]) {
    const r = runCli(['encode', '.env', '-o', out], { cwd: dir })
    assert.equal(r.status, 1)
    assert.match(r.stderr, /is the input file itself/)
  }
  assert.equal(spawnSync('ln', [join(dir, '.env'), join(dir, 'hard')]).status, 0)
  const r = runCli(['encode', '.env', '-o', 'hard'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /^hard: error: is the input file itself/)
  assert.equal(readFileSync(join(dir, '.env'), 'utf8'), SAMPLE)
  // stdout appended to the input by the shell: encode's and decode's result, check's --json.
  writeFileSync(join(dir, 'encoded'), 'SECRET_A=eA==\n')
  for (const [args, file, text] of [[['encode', '.env', '--stdout'], '.env', SAMPLE], [['decode', 'encoded'], 'encoded', 'SECRET_A=eA==\n'],
    [['check', 'encoded', '--json'], 'encoded', 'SECRET_A=eA==\n'], [['check', 'encoded', '--against', '.env', '--json'], '.env', SAMPLE]] as const) {
    const out = openSync(join(dir, file), 'a')
    const appended = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', out, 'pipe'], encoding: 'utf8' })
    closeSync(out)
    assert.equal(appended.status, 1, args.join(' '))
    assert.equal(appended.stderr, `stdout: error: is ${file}, the input itself: refusing to write over it; redirect the output to another file\n`)
    assert.equal(readFileSync(join(dir, file), 'utf8'), text)
  }
  // And through stdin: encode - --stdout < .env >> .env.
  const input = openSync(join(dir, '.env'), 'r')
  const output = openSync(join(dir, '.env'), 'a')
  const piped = spawnSync(process.execPath, [BIN, 'encode', '-', '--stdout'], { cwd: dir, stdio: [input, output, 'pipe'], encoding: 'utf8' })
  closeSync(input)
  closeSync(output)
  assert.equal(piped.status, 1)
  assert.equal(piped.stderr, 'stdout: error: is stdin, the input itself: refusing to write over it; redirect the output to another file\n')
  assert.equal(readFileSync(join(dir, '.env'), 'utf8'), SAMPLE)
  // A pipe on both ends is two pipes: nothing to refuse.
  assert.equal(runCli(['encode', '-', '--stdout'], { cwd: dir, input: SAMPLE }).status, 0)
}))

test('bad input: one line with the file, exit 1, never a stack trace', () => withTempDir((dir) => {
  mkdirSync(join(dir, 'folder'))
  writeFileSync(join(dir, 'latin1.env'), Buffer.from('A=1\nB=caf\xe9\n', 'latin1'))
  writeFileSync(join(dir, 'bin.env'), Buffer.from([0x41, 0x3d, 0x00, 0x01]))
  writeFileSync(join(dir, 'locked.env'), 'A=1\n')
  chmodSync(join(dir, 'locked.env'), 0o000)
  const cases: Array<[string, RegExp]> = [
    ['missing.env', /^missing\.env: error: no such file\n$/],
    ['folder', /^folder: error: is a folder/],
    ['latin1.env', /^latin1\.env:2: error: not valid UTF-8/],
    ['bin.env', /^bin\.env:1: error: contains a NUL byte/],
  ]
  if (process.getuid?.() !== 0) cases.push(['locked.env', /^locked\.env: error: permission denied/])
  for (const [file, message] of cases) {
    const r = runCli(['encode', file], { cwd: dir })
    assert.equal(r.status, 1, file)
    assert.match(r.stderr, message)
    assert.equal(r.stderr.trim().split('\n').length, 1, `${file}: one line`)
    assertCleanFailure(r.stderr)
  }
}))

test('--expand on references that double each other: an error at its line, in encode, run, decode and check alike', () => withTempDir((dir) => {
  const lines = ['A0=MARKzqMARKzq', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}=\${A${i}}\${A${i}}`)]
  writeFileSync(join(dir, 'chain.env'), lines.join('\n') + '\n')
  const encoded = runCli(['encode', 'chain.env', '-o', 'chain.enc'], { cwd: dir })
  assert.equal(encoded.status, 0, encoded.stderr)
  for (const [args, last] of [
    [['encode', 'chain.env', '--expand', '-o', 'out.enc'], 'nothing was written: 2 errors'],
    [['run', 'chain.env', '--expand', '--', 'true'], 'nothing was started: 2 errors'],
    [['decode', 'chain.enc', '--expand', '-o', 'out.env'], 'nothing was written: 2 errors'],
  ] as const) {
    const r = runCli([...args], { cwd: dir })
    assert.equal(r.status, 1, args.join(' '))
    assertCleanFailure(r.stderr)
    const file = args[1]
    assert.equal(r.stderr, `${file}:21: error: expanding the references in the value of A20 would insert more than 16 MiB ` +
      `of text into the values of this file (references that repeat each other?): it is not expanded\n${file}:39: error: ` +
      'expanding the references in the value of A38 would insert more than 16 MiB of text into the values of this file ' +
      `(references that repeat each other?): it is not expanded\n${last}\n`)
  }
  const checked = runCli(['check', 'chain.enc', '--against', 'chain.env', '--expand'], { cwd: dir })
  assert.equal(checked.status, 1)
  assertCleanFailure(checked.stderr)
  assert.match(checked.stderr, /^chain\.env:21: error: expanding the references in the value of A20/m)
  assert.equal(existsSync(join(dir, 'out.enc')) || existsSync(join(dir, 'out.env')), false)
}))

test('usage errors exit 2 with one line', () => {
  for (const args of [['encode', '--bogus'], ['nope'], ['encode', '--stdout', '-o', 'x']]) {
    const r = runCli(args)
    assert.equal(r.status, 2, args.join(' '))
    assert.equal(r.stdout, '')
    assert.equal(r.stderr.trim().split('\n').length, 1)
  }
  const none = runCli([])
  assert.equal(none.status, 2)
  assert.match(none.stderr, /Usage: kestra-secrets/)
  // An empty path is the command line's mistake, not a file's: it was `: error: the folder does not exist`.
  const empty = runCli(['encode', 'p.env', '-o', ''])
  assert.equal(empty.status, 2)
  assert.equal(empty.stderr, 'kestra-secrets: error: --output is given an empty path: give a file path, or - for stdout\n')
})

test('--help and --version print on stdout and exit 0', () => {
  const help = runCli(['encode', '--help'])
  assert.equal(help.status, 0)
  assert.match(help.stdout, /--allow-duplicates/)
  assert.equal(help.stderr, '')
  const version = runCli(['--version'])
  assert.equal(version.status, 0)
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
})

test('--strict turns warnings into errors; --quiet keeps only errors', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\njunk\n')
  const loose = runCli(['encode'], { cwd: dir })
  assert.equal(loose.status, 0)
  assert.match(loose.stderr, /^\.env:2: warning: a name without `=`/)
  assert.match(loose.stderr, /\(1 warning\)\n$/)
  const quiet = runCli(['encode', '-q', '-o', 'q.env'], { cwd: dir })
  assert.equal(quiet.status, 0)
  assert.equal(quiet.stderr, '')
  const strict = runCli(['encode', '--strict', '-o', 'strict.env'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /^\.env:2: error: a name without `=`/)
  assert.equal(existsSync(join(dir, 'strict.env')), false)
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left')
}))

test('a large file is written in chunks as it is encoded, byte for byte what the library returns', () => withTempDir((dir) => {
  // More lines than one chunk of the writer, with comments, blank runs and an inline comment across its boundaries.
  const lines: string[] = []
  for (let i = 0; i < 10_000; i++) {
    if (i % 997 === 0) lines.push('', '', `# section ${i}`)
    lines.push(i % 1500 === 7 ? `K_${i}=v${i} # note` : `K_${i}=value ${i}`)
  }
  const source = lines.join('\r\n') + '\r\n'
  writeFileSync(join(dir, '.env'), source)
  const r = runCli(['encode', '-q'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  const expected = encodeEnv(source)
  assert.ok(expected.ok)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), expected.text)
  assert.equal(expected.text.split('\r\n').filter((l) => l.startsWith('SECRET_')).length, 10_000)
  assert.deepEqual(dotenv.parse(expected.text), Object.fromEntries(
    Object.entries(dotenv.parse(source)).map(([k, v]) => [`SECRET_${k}`, b64(v)])))
}))

test('output mode is 0600 whatever the umask, and replaces a wider existing file', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  writeFileSync(join(dir, '.env_encoded'), 'old\n', { mode: 0o644 })
  chmodSync(join(dir, '.env_encoded'), 0o644)
  const r = spawnSync('sh', ['-c', `umask 000; exec "${process.execPath}" "${BIN}" encode`], { cwd: dir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(mode(join(dir, '.env_encoded')), 0o600)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), SAMPLE_OUT)
}))

test('warns when git would track the output, not when it is ignored', (t) => withTempDir((dir) => {
  if (spawnSync('git', ['--version']).status !== 0) {
    t.skip('git is not installed')
    return
  }
  assert.equal(spawnSync('git', ['init', '-q', dir]).status, 0)
  writeFileSync(join(dir, '.env'), SAMPLE)
  const tracked = runCli(['encode'], { cwd: dir })
  assert.equal(tracked.status, 0)
  // Once for the plain input, once for the output, with the lines that cover every name encode writes for it.
  assert.match(tracked.stderr, /^\.env: warning: is in a git work tree and not ignored, and it holds every secret in plain text: add the line \.env to \.gitignore$/m)
  assert.match(tracked.stderr, /^\.env_encoded: warning: is in a git work tree and not ignored.*add the lines \.env_encoded\*, values\.secrets\.yaml, secret\.yaml to \.gitignore$/m)
  writeFileSync(join(dir, '.gitignore'), '.env\n.env_encoded*\nvalues.secrets.yaml\nsecret.yaml\n')
  const ignored = runCli(['encode'], { cwd: dir })
  assert.equal(ignored.status, 0)
  assert.doesNotMatch(ignored.stderr, /git/)
  for (const format of ['helm', 'k8s-secret', 'json']) {
    const r = runCli(['encode', '--format', format], { cwd: dir })
    assert.equal(r.status, 0, `${format}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /git/, format)
  }
  const strict = runCli(['encode', '--strict', '-o', 'tracked.env'], { cwd: dir })
  assert.equal(strict.status, 1, 'a trackable output is a warning, so --strict refuses it')
  // A path of the user's own: the line that covers it, not the names derived from the input.
  assert.match(strict.stderr, /^tracked\.env: error: is in a git work tree and not ignored.*add the line tracked\.env to \.gitignore$/m)
  writeFileSync(join(dir, 'prod.env'), SAMPLE)
  const derived = runCli(['encode', 'prod.env'], { cwd: dir })
  assert.match(derived.stderr, /^prod\.env_encoded: warning: .*add the line prod\.env_encoded\* to \.gitignore$/m)
}))

test('colour only on stderr, only when asked for or on a terminal', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\njunk\n')
  const ESC = '\u001b['
  const forced = runCli(['encode', '--stdout'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  assert.ok(forced.stderr.includes(ESC), 'FORCE_COLOR colours stderr')
  assert.ok(!forced.stdout.includes(ESC), 'never on stdout')
  const off = runCli(['encode', '--stdout', '--no-color'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
  assert.ok(!off.stderr.includes(ESC), '--no-color wins')
  const plain = runCli(['encode', '--stdout'], { cwd: dir, env: { NO_COLOR: undefined } })
  assert.ok(!plain.stderr.includes(ESC), 'not a terminal: no colour')
}))

test('no diagnostic of encode prints a value, in any mode', async () => withTempDirAsync(async (dir) => {
  const M = (i: number): string => `Mk${i}Zq`
  const inputs = [
    `token=${M(1)}\nTOKEN=${M(2)}\n`,
    `A=${M(3)}\nA=${M(4)}\n`,
    `PASS=${M(5)}#${M(6)}\n`,
    `Q="${M(7)}" ${M(8)}\n`,
    `Q="${M(9)}\n`,
    `E="${M(10)}\\t"\n`,
    `${M(11)} ${M(12)}\n${M(13)}\n`,
    `SECRET_A=${b64(M(14))}\n`,
    `my.key=${M(15)}\nSECRET_B=${M(16)}\n__proto__=${M(17)}\n`,
    `A=${M(18)}\n\0`,
    `A=${M(19)}\n\xff`,
  ]
  // In-process: what is printed is the command's (the bin's own runs are the tests above).
  for (const [i, src] of inputs.entries()) {
    const file = join(dir, `in${i}.env`)
    const out = join(dir, `out${i}`)
    writeFileSync(file, src.includes('\xff') ? Buffer.from(src, 'latin1') : src)
    for (const extra of [[], ['--strict'], ['--allow-duplicates'], ['--force']]) {
      const what = `input ${i} ${extra.join(' ')}`
      rmSync(out, { force: true })
      const toFile = await runInProcess(['encode', file, '-o', out, ...extra])
      const toStdout = await runInProcess(['encode', file, '--stdout', ...extra])
      for (const r of [toFile, toStdout]) {
        assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}`)
        assert.notEqual(r.stderr, '', `${what}: a summary or a diagnostic`)
        assert.doesNotMatch(r.stderr, /Mk\d+Zq/, `stderr leaks a value for ${what}`)
        assert.ok(!r.stderr.includes(b64(M(14))), 'nor an encoded value')
      }
      assert.doesNotMatch(toStdout.stdout, /Mk\d+Zq/, 'stdout carries only encoded values')
      // -o writes what --stdout prints, or nothing.
      assert.equal(toFile.status, toStdout.status, what)
      assert.equal(toFile.stdout, '', what)
      if (toFile.status === 0) assert.equal(readFileSync(out, 'utf8'), toStdout.stdout, what)
      else assert.equal(existsSync(out), false, what)
    }
  }
}))

test('messages: --strict says it made the warnings errors, nothing was written; an unknown option points at the command\'s --help', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\njunk line\n')
  const strict = runCli(['encode', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  const lines = strict.stderr.trim().split('\n')
  assert.equal(lines.length, 2)
  assert.match(lines[0] ?? '', /^\.env:2: error: dotenv does not read this line/)
  assert.equal(lines[1], 'nothing was written: 1 error (--strict made 1 warning an error)')
  assert.equal(existsSync(join(dir, '.env_encoded')), false)
  const unknown = runCli(['encode', '--bogus'], { cwd: dir })
  assert.equal(unknown.status, 2)
  assert.equal(unknown.stderr, "kestra-secrets: error: unknown option '--bogus' (see kestra-secrets encode --help)\n")
}))

test('a CRLF output with blank lines: kept for compose and kubectl, with one warning that a shell cannot source it', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\r\n\r\nB=2\r\n')
  const r = runCli(['encode', '--stdout'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, `SECRET_A=${Buffer.from('1').toString('base64')}\r\n\r\nSECRET_B=${Buffer.from('2').toString('base64')}\r\n`)
  assert.equal(r.stderr.match(/POSIX shell cannot source it/g)?.length, 1)
  // What the warning is about: bash runs the blank line as the command $'\r'.
  if (spawnSync('bash', ['--version']).status === 0) {
    writeFileSync(join(dir, 'out'), r.stdout)
    assert.match(spawnSync('bash', ['-c', 'set -a; . ./out'], { cwd: dir, encoding: 'utf8' }).stderr, /command not found/)
  }
  writeFileSync(join(dir, 'lf.env'), 'A=1\n\nB=2\n')
  assert.doesNotMatch(runCli(['encode', 'lf.env', '--stdout'], { cwd: dir }).stderr, /shell/)
}))
