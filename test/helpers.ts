import assert from 'node:assert/strict'
import dotenv from 'dotenv'
import { spawn, spawnSync } from 'node:child_process'
import { Writable } from 'node:stream'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The repository root (tests run from build/test/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(ROOT, 'bin', 'kestra-secrets.js')

export interface Run {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would, with colour off unless the test sets it. */
export function runCli(args: string[], opts: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? '',
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (r.error) throw r.error
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

/** A fresh temporary folder, removed when `fn` ends. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-test-'))
  try {
    return fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `withTempDir` for an async `fn`: the folder is removed when its promise settles. */
export async function withTempDirAsync<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-test-'))
  try {
    return await fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What Kestra does with a value: base64 → UTF-8 text. */
export function kestraDecode(encoded: string): string {
  return Buffer.from(encoded, 'base64').toString('utf8')
}

/** A stream that keeps what is written, for running commands in-process. */
export class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString()
    done()
  }
}

/**
 * Runs a command line in this process, as the bin would, and returns what it printed: for tests of
 * what the commands say and write, at a fraction of the cost of a process each. With `cwd`, the
 * process works in that folder for the run (the tests of a file run one at a time), so that
 * relative names in messages are what a user in that folder would see. stdin is not this run's:
 * a test that reads `-` spawns the bin (runCli).
 */
export async function runInProcess(argv: string[], opts: { cwd?: string } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const { run } = await import('../src/cli/main.js')
  const { paintFor } = await import('../src/cli/color.js')
  const stdout = new Capture()
  const stderr = new Capture()
  const before = process.cwd()
  if (opts.cwd !== undefined) process.chdir(opts.cwd)
  try {
    const status = await run(argv, { stdout, stderr, env: {}, paint: await paintFor(0) })
    return { status, stdout: stdout.text, stderr: stderr.text }
  } finally {
    process.chdir(before)
  }
}

/** `--import` flags that load hooks of test/inject/ into the CLI's process before it starts. */
export function inject(...names: string[]): string[] {
  return names.flatMap((name) => ['--import', join(ROOT, 'test', 'inject', name)])
}

/** Runs the built CLI behind node options (hooks from `inject`), as `runCli` does. */
export function runCliWith(nodeArgs: string[], args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, ...args], {
    cwd: opts.cwd ?? ROOT, input: opts.input ?? '', env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  })
  if (r.error) throw r.error
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Starts the built CLI as runCliWith does, without waiting for it: for runs that spend their time
 * waiting (a named pipe that nobody writes to reads as empty after a second), which can then wait
 * side by side while the test goes on. stdin is empty; what it prints must fit in a pipe (64 KiB)
 * while the test is busy elsewhere.
 */
export function startCli(nodeArgs: string[], args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }))
  })
}

/** An expected failure reads as one sentence: no stack trace, no bug report, no raw errno names. */
export function assertNoStack(stderr: string, what = 'stderr'): void {
  assert.doesNotMatch(stderr, /\n\s+at |internal error|this is a bug/, `${what} shows a stack trace`)
  assert.doesNotMatch(stderr, /\bE(?:PIPE|NOSPC|ACCES|PERM|NOENT|ISDIR|NOTDIR|AGAIN|EXIST|ROFS|DQUOT|LOOP|NAMETOOLONG|BADF|IO|NXIO)\b/,
    `${what} shows an errno name`)
}

/**
 * Values with unique markers, for tests that prove no value is ever printed. Each marker is
 * `Mk<3 digits>zQx`; `value()` makes a plaintext that carries one, and every form in which it
 * could leak is remembered: the text, the marker, and their base64 (whole, and the fragments that
 * any base64 holding the marker contains, whatever its offset), as well as the base64 of that
 * base64 (the k8s-secret format's data).
 */
export class Markers {
  private n = 0
  /** Plaintext forms: never on stderr, and on stdout only where stdout is the decoded result. */
  readonly plain = new Set<string>()
  /** Encoded forms: never on stderr, and on stdout only where stdout is encode's result. */
  readonly encoded = new Set<string>()
  static readonly PATTERN = /Mk\d{3}zQx/

  /** A plaintext value `Mk<n>zQx<text>`. */
  value(text = ''): string {
    const marker = `Mk${String(++this.n).padStart(3, '0')}zQx`
    const value = `${marker}${text}`
    this.plain.add(value)
    this.plain.add(marker)
    for (const f of base64Fragments(marker)) this.encoded.add(f)
    this.encodedForms(value)
    return value
  }

  /** The base64 of `bytes`, remembered (without its padding) as a form that must not leak. */
  b64(bytes: string | Buffer): string {
    const encoded = Buffer.from(bytes).toString('base64')
    this.encoded.add(encoded.replace(/=+$/, ''))
    return encoded
  }

  /** Text as it stands in a file (a value that is not base64, a broken one): must not leak either. */
  raw(text: string): string {
    this.plain.add(text)
    return text
  }

  private encodedForms(value: string): void {
    const once = this.b64(value)
    this.encoded.add(Buffer.from(once).toString('base64').replace(/=+$/, ''))
  }

  /** No plaintext and no encoded form of any value in `output`. */
  assertNoLeak(what: string, output: string): void {
    this.assertNoPlaintext(what, output)
    // The message is made only on a failure: some forms are a megabyte long.
    for (const f of this.encoded) if (output.includes(f)) assert.fail(`${what} shows the encoded ${JSON.stringify(f)}`)
  }

  /** No plaintext (encode's stdout carries base64 by design). */
  assertNoPlaintext(what: string, output: string): void {
    assert.doesNotMatch(output, Markers.PATTERN, `${what} shows a marker`)
    for (const f of this.plain) if (output.includes(f)) assert.fail(`${what} shows ${JSON.stringify(f)}`)
  }
}

/**
 * The base64 characters that every encoding of a text containing `marker` contains: for each of
 * the three offsets the marker can start at modulo 3, the groups that lie wholly inside it.
 */
export function base64Fragments(marker: string): string[] {
  const bytes = Buffer.from(marker)
  const out: string[] = []
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes])
    const first = Math.ceil(shift / 3)
    const last = Math.floor(padded.length / 3)
    const text = padded.toString('base64').slice(first * 4, last * 4)
    if (text.length >= 4) out.push(text)
  }
  return out
}

/** Runs the CLI in a fresh node and tells whether the yaml package was loaded. */
export function loadsYaml(dir: string, args: string[]): boolean {
  const main = pathToFileURL(join(ROOT, 'build', 'src', 'cli', 'main.js')).href
  const script = [
    "import { createRequire } from 'node:module'",
    `const { main } = await import(${JSON.stringify(main)})`,
    `await main(${JSON.stringify(args)})`,
    'const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(k))',
    "process.stderr.write(`\\nyaml loaded: ${loaded}\\n`)",
  ].join('\n')
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  const m = /yaml loaded: (true|false)/.exec(r.stderr)
  if (m === null) throw new Error(`no answer from the CLI: ${r.stderr}`)
  return m[1] === 'true'
}

/**
 * `npm run test:full` sets KESTRA_SECRETS_TEST_FULL=1: property tests and fuzzing at full count,
 * and the long tests (inputs of 50 MB and more, signals, pack and install), which `npm test`
 * skips to stay quick.
 */
export const FULL = process.env.KESTRA_SECRETS_TEST_FULL === '1'

/** The options of a long test: it runs in the full suite only. */
export const longTest: { skip?: string } = FULL ? {} : { skip: 'long: runs in npm run test:full' }

/**
 * The number of generated cases: `full` in the full suite, a sixteenth of it (at least 100)
 * otherwise, which keeps `npm test` well under 90 s on a 2-core machine.
 */
export function runs(full: number): number {
  return FULL ? full : Math.max(100, Math.ceil(full / 16))
}

/**
 * The assignment a full-line comment holds (`# NAME=value`, `#export NAME="v"`), read by dotenv
 * itself, or undefined for an ordinary comment: what encode writes as a commented-out encoded entry.
 */
export function commentedAssignment(line: string): { key: string; value: string } | undefined {
  const body = line.trim().slice(1)
  if (!line.trim().startsWith('#') || !/^\s*(?:export\s+)?[\w.-]+\s*=/.test(body)) return undefined
  // dotenv drops a __proto__ key: read it under another name.
  const parsed = dotenv.parse(body.replace(/[\u2028\u2029]/g, ' ').replace(/__proto__/g, '__PROTO_SUB__'))
  const keys = Object.keys(parsed)
  if (keys.length !== 1) return undefined
  const back = (s: string): string => s.replace(/__PROTO_SUB__/g, '__proto__')
  return { key: back(keys[0] as string), value: back(parsed[keys[0] as string] as string) }
}

/**
 * Whether a full-line comment holds a commented-out assignment whose value opens a quote that the
 * line leaves open (no quote of that kind without a backslash before it after the opening one), or
 * that has nothing after `=` (a quote may open it on the next comment line): encode then may
 * read the value on over the comment lines right after it (scan.comments.test.ts checks how), so
 * that neither it nor they are written line by line as encodedComment says.
 */
export function opensQuote(line: string): boolean {
  if (commentedAssignment(line) === undefined) return false
  // Nothing after `=`: a quote that starts the next comment line would open the value.
  if (/^\s*#\s*(?:export\s+)?[\w.-]+\s*=\s*$/.test(line)) return true
  const m = /^\s*#\s*(?:export\s+)?[\w.-]+\s*=\s*(['"`])/.exec(line)
  if (m === null) return false
  const q = m[1] as string
  for (let i = m[0].length; i < line.length; i++) {
    if (line[i] === q && line[i - 1] !== '\\') return false
  }
  return true
}

/** The line encode writes for a full-line comment (trimmed). */
export function encodedComment(line: string): string {
  const a = commentedAssignment(line)
  return a === undefined ? line.trim() : `# SECRET_${a.key}=${Buffer.from(a.value, 'utf8').toString('base64')}`
}
