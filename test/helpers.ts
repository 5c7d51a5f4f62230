import { spawnSync } from 'node:child_process'
import { Writable } from 'node:stream'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

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

/** Runs a command line in this process, as the bin would, and returns what it printed. */
export async function runInProcess(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { run } = await import('../src/cli/main.js')
  const { paintFor } = await import('../src/cli/color.js')
  const stdout = new Capture()
  const stderr = new Capture()
  const status = await run(argv, { stdout, stderr, env: {}, paint: await paintFor(0) })
  return { status, stdout: stdout.text, stderr: stderr.text }
}
