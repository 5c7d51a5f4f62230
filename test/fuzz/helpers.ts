// Shared by the fuzz tests (plain.test.ts, encoded.test.ts): byte mutations, how many cases to
// run, how to replay one, and what every command must do whatever it is fed.
//
// FUZZ_RUNS sets the size of a run (by default 5,000 cases for the main property in the full
// suite, a sixteenth of that in npm test; the others run a share of it). A failure prints fast-check's report with its seed and path, and the command that
// replays exactly that case:
//
//     FUZZ_SEED=<seed> FUZZ_PATH=<path> node --test --test-name-pattern '<test>' build/test/<file>.js
//
// FUZZ_SEED alone replays the whole run of that seed.

import assert from 'node:assert/strict'
import fc from 'fast-check'
import { runs } from '../helpers.js'

export const RUNS = Number(process.env.FUZZ_RUNS ?? runs(5000))
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const PATH = process.env.FUZZ_PATH

/**
 * Runs an async property `runs` times (or replays FUZZ_SEED / FUZZ_PATH) and, on failure, throws
 * fast-check's report (seed, path, counterexample, the error) plus the line that replays it.
 */
export async function fuzz<T>(testName: string, file: string, runs: number, property: fc.IAsyncProperty<T>): Promise<void> {
  const parameters: fc.Parameters<T> = { numRuns: runs }
  if (SEED !== undefined) parameters.seed = SEED
  if (SEED !== undefined && PATH !== undefined) parameters.path = PATH
  const details = await fc.check(property, parameters)
  if (!details.failed) return
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} ` +
    `node --test --test-name-pattern ${JSON.stringify(testName.slice(0, 40))} build/test/${file}`
  const error = details.errorInstance
  const why = error instanceof Error ? (error.stack ?? error.message) : String(error)
  throw new Error(`${fc.defaultReportMessage(details) ?? 'the property failed'}\n\n${why}\n\nreplay it with:\n  ${replay}`,
    { cause: error })
}

/** Bytes that matter to a .env or base64 reader, and bytes that break UTF-8. */
const DANGEROUS = [...'=#\'"`\\\n\r \t:$'].map((c) => c.charCodeAt(0))
  .concat([0xef, 0xbb, 0xbf, 0xe2, 0x80, 0xa8, 0xc3, 0x00, 0xff, 0x41])
/** And what matters to base64, YAML and JSON. */
const STRUCTURAL = [...'+/-_=A0 {}[],:-|>&*!%@\'"\n\r\t#'].map((c) => c.charCodeAt(0))

export interface Mutation {
  kind: 'insert' | 'delete' | 'swap'
  at: number
  other: number
  byte: number
}

const mutationOf = (bytes: readonly number[]): fc.Arbitrary<Mutation> => fc.record({
  kind: fc.constantFrom('insert', 'delete', 'swap'),
  at: fc.nat(),
  other: fc.nat(),
  byte: fc.constantFrom(...bytes),
})

/** Up to `max` byte insertions, deletions (of 1 to 4 bytes) and swaps. */
export const mutations = (max = 6): fc.Arbitrary<Mutation[]> =>
  fc.array(mutationOf(DANGEROUS), { maxLength: max })
/** The same, with the bytes of base64, YAML and JSON as well. */
export const structuralMutations = (max = 6): fc.Arbitrary<Mutation[]> =>
  fc.array(fc.oneof(mutationOf(DANGEROUS), mutationOf(STRUCTURAL)), { maxLength: max })

export function mutate(doc: string | Buffer, list: readonly Mutation[]): Buffer {
  const bytes = [...(typeof doc === 'string' ? Buffer.from(doc, 'utf8') : doc)]
  for (const m of list) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1)
    if (m.kind === 'insert') bytes.splice(at, 0, m.byte)
    else if (m.kind === 'delete') bytes.splice(at, 1 + (m.other % 4))
    else if (bytes.length > 1) {
      const a = at % bytes.length
      const b = m.other % bytes.length
      ;[bytes[a], bytes[b]] = [bytes[b] as number, bytes[a] as number]
    }
  }
  return Buffer.from(bytes)
}

export interface Ran {
  status: number
  stdout: string
  stderr: string
}

/**
 * What every run must look like, whatever the input: exit 0 or 1, never 70 (a bug) or 2 (the
 * command lines here are valid); no stack trace; and when it fails, nothing on stdout unless the
 * command prints JSON findings.
 */
export function assertWellBehaved(r: Ran, what: string, { json = false } = {}): void {
  assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}\n${r.stderr}`)
  assert.doesNotMatch(r.stderr, /internal error|this is a bug|\n\s+at /, `${what}: a stack trace`)
  if (json && r.stdout === '') {
    // An input that cannot be read at all (not UTF-8, a NUL byte) is one line on stderr, not JSON.
    assert.equal(r.status, 1, `${what}: no JSON, yet exit 0`)
    assert.match(r.stderr, /^[^\n]+: error: [^\n]+\n$/, `${what}: one error line when there is no JSON`)
  } else if (json) {
    const report = JSON.parse(r.stdout) as { ok: boolean }
    assert.equal(report.ok, r.status === 0, `${what}: the JSON's ok matches the exit code`)
  } else if (r.status !== 0) {
    assert.equal(r.stdout, '', `${what}: nothing on stdout after a failure`)
  }
}

/** A finding of `check --json`. */
export interface Finding {
  file: string
  line?: number
  key?: string
  code: string
  severity: 'error' | 'warning' | 'note'
  message: string
}

export interface CheckReport {
  ok: boolean
  secrets: number
  findings: Finding[]
}

/** dotenv.parse's result without the `__proto__` that it returns but never sets in the environment. */
export function dotenvRecord(parsed: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(parsed).filter(([k]) => k !== '__proto__'))
}
