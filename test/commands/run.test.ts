// `run` with real child processes: the command is `node -e <script>`, so that nothing but the
// .env is in the temporary folder, and what the command saw (its environment, its arguments, the
// signals it got) comes back on its stdout.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, writeFileSync } from 'node:fs'
import { constants } from 'node:os'
import { join } from 'node:path'
import { TERMINATING } from '../../src/io/signals.js'
import { BIN, Markers, assertNoStack, longTest, runCli, runInProcess, withTempDir, withTempDirAsync, type Run } from '../helpers.js'

const NODE = process.execPath
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

/** A command that prints its environment as JSON. */
const PRINT_ENV = [NODE, '-e', 'process.stdout.write(JSON.stringify(process.env))']

/** The environment of the tests' runs, without any SECRET_ variable of the machine's. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SECRET_')) env[k] = v
  return { ...env, ...extra }
}

function runIn(dir: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  // runCli adds process.env under opts.env: start from one without SECRET_ variables.
  const env = cleanEnv(opts.env)
  for (const k of Object.keys(process.env)) if (k.startsWith('SECRET_') && !(k in env)) env[k] = undefined
  return runCli(args, { cwd: dir, env, input: opts.input })
}

const secretsOf = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('SECRET_')).sort())

test('the command gets exactly the SECRET_ variables of the file, base64, added to the environment it inherits', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), '# db\nDB_PASSWORD="s3cr3t with spaces" # prod\nexport API_KEY=abc\nEMPTY=\nKEY="line 1\nline 2"\n')
  const before = readdirSync(dir).sort()
  const r = runIn(dir, ['run', '--', ...PRINT_ENV], { env: { KEEP_ME: 'kept' } })
  assert.equal(r.status, 0, r.stderr)
  const env = JSON.parse(r.stdout) as Record<string, string>
  assert.deepEqual(secretsOf(env), {
    SECRET_API_KEY: b64('abc'),
    SECRET_DB_PASSWORD: b64('s3cr3t with spaces'),
    SECRET_EMPTY: '',
    SECRET_KEY: b64('line 1\nline 2'),
  })
  assert.equal(env.KEEP_ME, 'kept', 'the rest of the environment is inherited')
  assert.equal(r.stderr, `starting ${NODE} with 4 secrets from .env\n`)
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing is written')
}))

test('the file is the argument before --; everything after -- is the command\'s, options included', () => withTempDir((dir) => {
  writeFileSync(join(dir, 'prod.env'), 'TOKEN=t0ken\n')
  const printArgs = [NODE, '-e', 'process.stdout.write(JSON.stringify([process.argv.slice(1), process.env.SECRET_TOKEN]))']
  const r = runIn(dir, ['run', 'prod.env', '--strict', '--', ...printArgs, '--', '-q', '--strict', '--', 'prod.env'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), [['-q', '--strict', '--', 'prod.env'], b64('t0ken')])
  assert.match(r.stderr, /^starting .* with 1 secret from prod\.env\n$/, 'the -q after -- was not ours')
  // -q before -- is ours; --no-color may come first.
  const q = runIn(dir, ['--no-color', 'run', '-q', 'prod.env', '--', ...printArgs])
  assert.equal(q.status, 0, q.stderr)
  assert.equal(q.stderr, '')
}))

test('the .env can come on stdin (-)', () => withTempDir((dir) => {
  const r = runIn(dir, ['run', '-', '--', ...PRINT_ENV], { input: 'A=1\n' })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(secretsOf(JSON.parse(r.stdout) as Record<string, string>), { SECRET_A: b64('1') })
  assert.match(r.stderr, /from <stdin>\n$/)
}))

test('the command\'s exit code is passed on, and 128 + n when a signal ends it', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  for (const code of [0, 3, 255]) {
    const r = runIn(dir, ['run', '-q', '--', NODE, '-e', `process.exit(${code})`])
    assert.equal(r.status, code, r.stderr)
    assert.equal(r.stderr, '')
  }
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const r = runIn(dir, ['run', '-q', '--', NODE, '-e', `process.kill(process.pid, '${signal}'); setTimeout(() => {}, 5000)`])
    assert.equal(r.status, 128 + constants.signals[signal], `${signal}: ${r.stderr}`)
    assert.equal(r.signal, null)
  }
}))

/**
 * Starts `run` with a command that reports each of `handled` it gets (and then exits 7), and sends
 * `signal` to kestra-secrets once the command is ready; resolves with what the command printed.
 */
function signalled(dir: string, signal: NodeJS.Signals, handled: readonly string[] = [signal]):
  Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = [
    `for (const s of ${JSON.stringify(handled)}) process.on(s, () => { process.stdout.write('got ' + s + '\\n'); setTimeout(() => process.exit(7), 50) })`,
    "process.stdout.write('ready ' + process.pid + '\\n')",
    'setTimeout(() => {}, 10000)',
  ].join(';')
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, 'run', '-q', '--', NODE, '-e', script], { cwd: dir, env: cleanEnv({ NO_COLOR: '1' }) })
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (!sent && stdout.includes('\n')) {
        sent = true
        child.kill(signal)
      }
    })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** Every signal that would end kestra-secrets and that it can handle, that this system has. */
const TERMINATING_HERE = TERMINATING.filter((s): s is typeof s & NodeJS.Signals => s in constants.signals)

test('every signal that would end kestra-secrets reaches the command instead, whose exit is ours', () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  assert.ok(TERMINATING_HERE.includes('SIGUSR2') && TERMINATING_HERE.includes('SIGQUIT'))
  // A few at a time: each is two Node processes.
  for (let i = 0; i < TERMINATING_HERE.length; i += 4) {
    const signals = TERMINATING_HERE.slice(i, i + 4)
    const ends = await Promise.all(signals.map((s) => signalled(dir, s)))
    signals.forEach((signal, k) => {
      const end = ends[k]
      assert.ok(end)
      assert.match(end.stdout, new RegExp(`^ready \\d+\ngot ${signal}\n$`), signal)
      assert.equal(end.status, 7, `${signal}: ${end.stderr}`)
      assert.equal(end.stderr, '')
    })
  }
}))

test('SIGUSR1 reaches the command, and never opens Node\'s inspector, where any local user could read the secrets', () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const end = await signalled(dir, 'SIGUSR1')
  assert.match(end.stdout, /^ready \d+\ngot SIGUSR1\n$/)
  assert.equal(end.status, 7, end.stderr)
  assert.doesNotMatch(end.stderr, /Debugger listening/)
  assert.equal(end.stderr, '')
}))

test('a signal the command does not handle ends it, and then us with 128 + n; it is not left running', () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const signals = ['SIGUSR2', 'SIGQUIT'] as const
  const ends = await Promise.all(signals.map((s) => signalled(dir, s, [])))
  signals.forEach((signal, k) => {
    const end = ends[k]
    assert.ok(end)
    assert.equal(end.status, 128 + constants.signals[signal], `${signal}: ${end.stderr}`)
    const pid = Number(/^ready (\d+)\n$/.exec(end.stdout)?.[1])
    assert.ok(pid > 0, end.stdout)
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `${signal}: the command is gone`)
  })
}))

test('Ctrl-C and Ctrl-\\ in a terminal reach the command once, not twice', { ...longTest }, (t) => withTempDir((dir) => {
  // `script` gives the run a terminal whose foreground process group holds kestra-secrets and the
  // command; ^C (^\) typed into it is a SIGINT (SIGQUIT) to both from the terminal.
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) {
    t.skip('script (util-linux) is not installed')
    return
  }
  writeFileSync(join(dir, '.env'), 'A=1\n')
  writeFileSync(join(dir, 'count.js'), [
    'const signal = process.argv[2]',
    "const { writeFileSync } = require('node:fs')",
    "let n = 0; process.on(signal, () => { n++; setTimeout(() => { process.stdout.write(signal + ' ' + n + '\\n'); writeFileSync(signal + '.done', ''); process.exit(0) }, 500) })",
    "process.stdout.write('ready\\n'); writeFileSync(signal + '.ready', ''); setTimeout(() => {}, 20000)",
  ].join('\n'))
  // Waits up to 10 s for a file the command writes: a loaded machine may start it late.
  const waitFor = (file: string): string => `for i in $(seq 100); do [ -e ${file} ] && break; sleep 0.1; done`
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  for (const [signal, key] of [['SIGINT', '\\003'], ['SIGQUIT', '\\034']] as const) {
    // `exec`: script runs the command with $SHELL -c, or /bin/sh where SHELL is unset (as in CI); a
    // shell left waiting between the terminal and us would get ^\ too and end, hanging up on us.
    const inner = 'exec ' + [NODE, BIN, 'run', '-q', '--', NODE, join(dir, 'count.js'), signal].map(quote).join(' ')
    // Type the key once the command is ready, and keep the terminal open until it has answered.
    const driver = `(${waitFor(`${signal}.ready`)}; printf '${key}'; ${waitFor(`${signal}.done`)}; sleep 0.5) | script -qefc ${quote(inner)} /dev/null`
    const r = spawnSync('bash', ['-c', driver], { cwd: dir, encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }), timeout: 30000 })
    assert.match(r.stdout, /ready/, r.stderr)
    assert.match(r.stdout, new RegExp(`${signal} 1\\r?\\n`), `the command got one ${signal}: ${JSON.stringify(r.stdout)}`)
  }
}))

test('a SECRET_ variable the environment has already: the file wins, with a warning naming it', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'TOKEN=new\nSAME=same\n')
  const env = { SECRET_TOKEN: b64('old'), SECRET_SAME: b64('same'), SECRET_OTHER: b64('other') }
  const r = runIn(dir, ['run', '--', ...PRINT_ENV], { env })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(secretsOf(JSON.parse(r.stdout) as Record<string, string>),
    { SECRET_OTHER: b64('other'), SECRET_SAME: b64('same'), SECRET_TOKEN: b64('new') })
  assert.equal(r.stderr, '.env:1: warning: SECRET_TOKEN is set in the environment already, to another value: the command gets the one from this file\n' +
    '.env: note: SECRET_OTHER is in the environment and not in this file: the command gets it too, and Kestra reads it as a secret\n' +
    `starting ${NODE} with 2 secrets from .env (1 warning)\n`)
  const strict = runIn(dir, ['run', '--strict', '--', NODE, '-e', "process.stdout.write('started')"], { env })
  assert.equal(strict.status, 1)
  assert.equal(strict.stdout, '', 'not started')
  assert.match(strict.stderr, /nothing was started: 1 error \(--strict made 1 warning an error\)\n$/)
}))

test('a SECRET_ variable of the environment that differs from the file\'s only in case is left out, with a warning', () => withTempDir((dir) => {
  // Kestra upper-cases names after SECRET_: given SECRET_token and SECRET_TOKEN, it fails on the duplicate key.
  writeFileSync(join(dir, '.env'), 'token=abc\nDB=new\n')
  const env = { SECRET_TOKEN: b64('xyz'), SECRET_Token: b64('abc'), SECRET_db: b64('new'), SECRET_DB: b64('old'), SECRET_OTHER: b64('o') }
  const r = runIn(dir, ['run', '--', ...PRINT_ENV], { env })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(secretsOf(JSON.parse(r.stdout) as Record<string, string>),
    { SECRET_DB: b64('new'), SECRET_OTHER: b64('o'), SECRET_token: b64('abc') })
  const collision = (inherited: string, ours: string): string => `${inherited} in the environment is the same secret to Kestra ` +
    `as ${ours} (it upper-cases names), which would fail on the duplicate or keep one of them: the command gets the one ` +
    `from this file, not ${inherited}`
  assert.equal(r.stderr, [
    `.env:1: warning: ${collision('SECRET_TOKEN', 'SECRET_token')}`,
    `.env:1: warning: ${collision('SECRET_Token', 'SECRET_token')}`,
    '.env:2: warning: SECRET_DB is set in the environment already, to another value: the command gets the one from this file',
    `.env:2: warning: ${collision('SECRET_db', 'SECRET_DB')}`,
    '.env: note: SECRET_OTHER is in the environment and not in this file: the command gets it too, and Kestra reads it as a secret',
    `starting ${NODE} with 2 secrets from .env (4 warnings)`,
  ].join('\n') + '\n', 'line and key and the variables\' names, never a value')
  const strict = runIn(dir, ['run', '--strict', '--', NODE, '-e', "process.stdout.write('started')"], { env: { SECRET_TOKEN: b64('xyz') } })
  assert.equal(strict.status, 1)
  assert.equal(strict.stdout, '', 'not started')
  assert.match(strict.stderr, /^\.env:1: error: SECRET_TOKEN in the environment .*\nnothing was started: 1 error \(--strict made 1 warning an error\)\n$/)
  // A name that may be a value's base64 (a line of it that dotenv read as a name), in the file and
  // in the environment in another case: hidden in both places of the message.
  const name = b64('hunter2hunter2XYZ').replace(/=+$/, '')
  writeFileSync(join(dir, '.env'), `${name}=x\n`)
  const flipped = `SECRET_${name.charAt(0).toUpperCase()}${name.slice(1)}`
  assert.notEqual(flipped, `SECRET_${name}`)
  const hidden = runIn(dir, ['run', '--', NODE, '-e', '0'], { env: { [flipped]: b64('y') } })
  assert.equal(hidden.status, 0, hidden.stderr)
  assert.ok(hidden.stderr.split('\n').includes(`.env:1: warning: ${collision('SECRET_<base64>', 'SECRET_<base64>')}`), hidden.stderr)
  assert.ok(!hidden.stderr.toLowerCase().includes(name.slice(1, 13).toLowerCase()), hidden.stderr)
}))

test('the environment\'s other SECRET_ variables reach the command as they are, named in one note', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  const hidden = b64('hunter2hunter2XYZ').replace(/=+$/, '')
  const others = { SECRET_G: b64('g'), SECRET_B: b64('b'), SECRET_C: b64('c'), SECRET_D: 'x', SECRET_E: 'x', SECRET_F: 'x', [`SECRET_${hidden}`]: 'x' }
  const r = runIn(dir, ['run', '--', ...PRINT_ENV], { env: { ...others, SECRET_: 'x', NOT_SECRET: 'y' } })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(secretsOf(JSON.parse(r.stdout) as Record<string, string>), { ...others, SECRET_: 'x', SECRET_A: b64('1') })
  // Sorted, the first five named (a name that may be a value's base64 hidden), the rest counted;
  // SECRET_ alone is no secret to Kestra.
  assert.equal(r.stderr, '.env: note: 7 SECRET_ variables are in the environment and not in this file ' +
    '(SECRET_B, SECRET_C, SECRET_D, SECRET_E, SECRET_F, and 2 more): the command gets them too, and Kestra reads them as secrets\n' +
    `starting ${NODE} with 1 secret from .env\n`)
  const one = runIn(dir, ['run', '--', NODE, '-e', '0'], { env: { [`SECRET_${hidden}`]: 'x' } })
  assert.equal(one.stderr, '.env: note: SECRET_<base64> is in the environment and not in this file: the command gets it too, ' +
    `and Kestra reads it as a secret\nstarting ${NODE} with 1 secret from .env\n`)
  // Two of them that are one secret to Kestra: a warning naming both.
  const clash = runIn(dir, ['run', '--', NODE, '-e', '0'], { env: { SECRET_TOKEN: 'x', SECRET_token: 'y' } })
  assert.equal(clash.stderr, '.env: note: 2 SECRET_ variables are in the environment and not in this file (SECRET_TOKEN, SECRET_token): ' +
    'the command gets them too, and Kestra reads them as secrets\n' +
    '.env: warning: SECRET_TOKEN and SECRET_token in the environment are one secret to Kestra (it upper-cases names), which fails ' +
    'on the duplicate or keeps one of them: unset all of them but one\n' +
    `starting ${NODE} with 1 secret from .env (1 warning)\n`)
  // A note: --strict starts the command, -q prints nothing.
  const strict = runIn(dir, ['run', '--strict', '-q', '--', NODE, '-e', '0'], { env: others })
  assert.deepEqual([strict.status, strict.stderr], [0, ''])
}))

/** A command that leaves a file `started` in `dir` if it ever runs. */
const marksStart = (dir: string): string[] =>
  [NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, 'started'))}, '')`]

test('bad input starts nothing and exits 1, with the same messages as encode', () => withTempDirAsync(async (dir) => {
  // In-process: the command line never gets as far as starting anything.
  const env = join(dir, '.env')
  writeFileSync(env, 'A=1\nA=2\n')
  const dup = await runInProcess(['run', env, '--', ...marksStart(dir)])
  assert.equal(dup.status, 1)
  assert.equal(dup.stderr, `${env}:2: error: A is already defined on line 1; dotenv keeps the last and kubectl rejects the file: ` +
    'remove one, or pass --allow-duplicates to keep the last\nnothing was started: 1 error\n')

  const encoded = join(dir, 'encoded.env')
  writeFileSync(encoded, `SECRET_A=${b64('1')}\n`)
  const again = await runInProcess(['run', encoded, '--', ...marksStart(dir)])
  assert.equal(again.status, 1)
  assert.match(again.stderr, /looks encoded already.*, or pass --force to encode it again\n/)

  const warned = join(dir, 'warn.env')
  writeFileSync(warned, 'A=1\nnot an entry\n')
  const strict = await runInProcess(['run', warned, '--strict', '--', ...marksStart(dir)])
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /nothing was started: 1 error \(--strict made 1 warning an error\)\n$/)

  for (const [file, message] of [[join(dir, 'missing.env'), /: error: no such file\n$/], [dir, /: error: is a folder/]] as const) {
    const r = await runInProcess(['run', file, '--', ...marksStart(dir)])
    assert.equal(r.status, 1, file)
    assert.match(r.stderr, message)
    assertNoStack(r.stderr)
  }
  for (const r of [dup, again, strict]) assertNoStack(r.stderr)
  assert.equal(readdirSync(dir).includes('started'), false, 'the command never started')

  // The same options as encode let the same files through.
  const allowed = runIn(dir, ['run', '--allow-duplicates', '--', ...PRINT_ENV])
  assert.equal(allowed.status, 0, allowed.stderr)
  assert.deepEqual(secretsOf(JSON.parse(allowed.stdout) as Record<string, string>), { SECRET_A: b64('2') })
  assert.equal(runIn(dir, ['run', 'encoded.env', '--force', '-q', '--', NODE, '-e', "process.stdout.write('started')"]).stdout, 'started')
}))

test('usage errors exit 2 and start nothing', () => withTempDirAsync(async (dir) => {
  const env = join(dir, '.env')
  writeFileSync(env, 'A=1\n')
  const cases: Array<[string[], RegExp]> = [
    [['run'], /the command given after --/],
    [['run', env], /the command given after --/],
    [['run', ...marksStart(dir)], /the command given after --/],
    [['run', '--'], /nothing after --/],
    [['run', env, '--'], /nothing after --/],
    [['run', '--bogus', env, '--', ...marksStart(dir)], /unknown option '--bogus'/],
    [['run', env, 'other.env', '--', ...marksStart(dir)], /too many arguments/],
  ]
  for (const [args, message] of cases) {
    const r = await runInProcess(args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /^kestra-secrets: error: .*\n$/, args.join(' '))
    assert.match(r.stderr, message, args.join(' '))
  }
  assert.equal(readdirSync(dir).includes('started'), false, 'the command never started')
  // And the process exits with it.
  const r = runIn(dir, ['run', '.env'])
  assert.equal(r.status, 2)
  assert.equal(r.stdout, '')
}))

test('a command that is not found exits 127, one that cannot be run 126, in one line', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\n')
  writeFileSync(join(dir, 'not-executable.sh'), 'echo hi\n')
  chmodSync(join(dir, 'not-executable.sh'), 0o644)
  const missing = runIn(dir, ['run', '-q', '--', 'no-such-command-kestra-secrets'])
  assert.equal(missing.status, 127)
  assert.equal(missing.stderr, 'kestra-secrets: error: no-such-command-kestra-secrets: command not found\n')
  for (const command of ['./not-executable.sh', dir]) {
    const r = runIn(dir, ['run', '-q', '--', command])
    assert.equal(r.status, 126, command)
    assert.match(r.stderr, /^kestra-secrets: error: .*: cannot be run/)
    assertNoStack(r.stderr)
  }
}))

test('no value appears in any message, whatever the outcome', () => withTempDir((dir) => {
  const m = new Markers()
  const env = [
    `OK=${m.value()}`, `QUOTED="${m.value(' two words')}"`, `HASH=${m.value('#cut')}`, `TWICE=${m.value()}`, `TWICE=${m.value()}`,
    `BROKEN="${m.value()}`,
  ].join('\n') + '\n'
  writeFileSync(join(dir, '.env'), env)
  const printed = [NODE, '-e', "process.stdout.write('started')"]
  const runs = [
    runIn(dir, ['run', '--', ...printed]),
    runIn(dir, ['run', '--allow-duplicates', '--', ...printed], { env: { SECRET_OK: m.b64(m.value()) } }),
    runIn(dir, ['run', '--allow-duplicates', '--strict', '--', ...printed]),
    runIn(dir, ['run', '--allow-duplicates', '--', 'no-such-command-kestra-secrets']),
  ]
  assert.deepEqual(runs.map((r) => r.status), [1, 0, 1, 127])
  for (const r of runs) {
    m.assertNoLeak('stderr', r.stderr)
    m.assertNoLeak('stdout', r.stdout)
  }
}))
