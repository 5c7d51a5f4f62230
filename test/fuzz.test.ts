import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { isUtf8 } from 'node:buffer'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import dotenv from 'dotenv'
import { kestraDecode, runInProcess } from './helpers.js'

/**
 * Mutation fuzzing through the commands, in-process (a spawn per case would take minutes).
 * FUZZ_RUNS sets the number of cases (default 5,000); FUZZ_SEED replays a failure, whose seed
 * fast-check prints with the counterexample.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)

const line = fc.oneof(
  fc.constantFrom('# comment', '', '   ', 'export A=1', 'B="two words"', "C='single'", 'D=`back`',
    'E="multi\nline"', 'F=x # inline', 'G: colon', 'H=', 'I=a=b$c', 'J="esc\\n"', 'K.L-M=dots'),
  fc.tuple(fc.constantFrom('N', 'P_Q', 'r', 'S1'), fc.string({ maxLength: 12 })).map(([k, v]) => `${k}=${v}`),
)
const document = fc.tuple(fc.array(line, { maxLength: 10 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([lines, eol, last]) => lines.join(eol) + (last ? eol : ''))

const DANGEROUS = [...'=#\'"`\\\n\r \t:$'].map((c) => c.charCodeAt(0)).concat([0xef, 0xbb, 0xbf, 0xe2, 0x80, 0xa8, 0xc3, 0x00, 0xff, 0x41])
type Mutation = { kind: 'insert' | 'delete' | 'swap'; at: number; other: number; byte: number }
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'swap'),
  at: fc.nat(),
  other: fc.nat(),
  byte: fc.constantFrom(...DANGEROUS),
})

function mutate(doc: string, mutations: Mutation[]): Buffer {
  const bytes = [...Buffer.from(doc, 'utf8')]
  for (const m of mutations) {
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

test(`encode survives ${RUNS} mutated documents: exit 0 or 1, no stack, exact values when it succeeds`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-fuzz-'))
  const file = join(dir, 'in.env')
  let succeeded = 0
  try {
    await fc.assert(fc.asyncProperty(document, fc.array(mutation, { maxLength: 6 }), fc.boolean(), async (doc, ms, lenient) => {
      const bytes = mutate(doc, ms)
      writeFileSync(file, bytes)
      const args = ['encode', file, '--stdout', ...(lenient ? ['--allow-duplicates', '--force'] : [])]
      const r = await runInProcess(args)
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`)
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /)
      if (r.status !== 0) {
        assert.equal(r.stdout, '')
        return
      }
      succeeded++
      assert.ok(isUtf8(bytes) && !bytes.includes(0), 'accepted input is UTF-8 text')
      const expected = dotenv.parse(bytes.toString('utf8'))
      delete (expected as Record<string, unknown>)['__proto__']
      const written = dotenv.parse(r.stdout)
      assert.deepEqual(Object.keys(written).sort(), Object.keys(expected).map((k) => `SECRET_${k}`).sort())
      for (const [k, v] of Object.entries(expected)) assert.equal(kestraDecode(written[`SECRET_${k}`] as string), v)
      for (const l of r.stdout.split(/\r?\n/)) {
        assert.match(l, /^(?:|\s*#.*|SECRET_[\w.-]+=[A-Za-z0-9+/]*={0,2})$/, 'every output line is blank, a comment or an entry')
      }
    }), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  assert.ok(succeeded > RUNS / 10, `enough cases get through (${succeeded})`)
})
