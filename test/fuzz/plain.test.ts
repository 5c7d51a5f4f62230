// Mutation fuzzing of plain .env documents through every command, in-process (a spawn per case
// would take minutes). For each mutated document:
//
// - encode (in a format chosen per case, with or without --allow-duplicates --force), decode and
//   check (alone and as the plain side of --against) exit 0 or 1, never with a stack trace;
// - when encode exits 0, what it wrote decodes by Kestra's rules to exactly dotenv.parse() of the
//   input; it passes check, --against the input, with no error and only the warnings that the
//   values themselves justify (see below); and decode gives back a .env whose dotenv.parse() is
//   dotenv.parse() of the input, unless a value is one that no dotenv quoting can carry, which
//   decode then refuses by name.
//
// Check warnings on a faithful encoding: check cannot know whether an odd value is what the user
// meant, so it warns about values that look like mistakes (control characters, text in quotes,
// " #" inside, a trailing line break, a name a shell cannot load). Those values are legitimate here
// (dotenv reads them so), so the property allows exactly those warnings, each only when the
// value or name in question really has that feature; any other finding, or any error, fails.
//
// See fuzz.helpers.ts for FUZZ_RUNS, FUZZ_SEED and FUZZ_PATH.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { isUtf8 } from 'node:buffer'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import dotenv from 'dotenv'
import { runInProcess } from '../helpers.js'
import { displayName } from '../../src/core/names.js'
import { envDocument, readBack } from '../core/formats/helpers.js'
import { FORMATS, outputName, type Format } from '../../src/core/formats/index.js'
import { decodeKestraValue } from '../../src/core/kestra.js'
import { RUNS, assertWellBehaved, dotenvRecord, fuzz, mutate, mutations, type CheckReport } from './helpers.js'

const line = fc.oneof(
  fc.constantFrom('# comment', '', '   ', 'export A=1', 'B="two words"', "C='single'", 'D=`back`',
    'E="multi\nline"', 'F=x # inline', 'G: colon', 'H=', 'I=a=b$c', 'J="esc\\n"', 'K.L-M=dots',
    'SECRET_T=dGV4dA==', 'U="a\\tb"', "V='it''s'", 'W="say "hi""', 'X=é😀\u2028y', 'Y=\ufeffz'),
  fc.tuple(fc.constantFrom('N', 'P_Q', 'r', 'S1', 'n'), fc.string({ maxLength: 12 })).map(([k, v]) => `${k}=${v}`),
)
/** Documents of the lines above, and the richer generator of the formats tests (comments of any text). */
export const document = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.array(line, { maxLength: 10 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
    .map(([lines, eol, last]) => lines.join(eol) + (last ? eol : '')) },
  { weight: 1, arbitrary: envDocument },
)

/** Control characters other than tab and line breaks: text a person does not type. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/
const QUOTES = '"\'`'

/**
 * The warnings check may give about a faithful encoding, and what in the value (or name) justifies
 * each; and, about the file, that it holds no entry at all.
 */
const JUSTIFIED: Record<string, (name: string, value: string) => boolean> = {
  'not-printable': (_, v) => CONTROL.test(v),
  'decoded-quoted': (_, v) => v.length >= 2 && QUOTES.includes(v.charAt(0)) && v.charAt(v.length - 1) === v.charAt(0),
  'decoded-comment': (_, v) => /\s#/.test(v),
  'trailing-newline': (_, v) => v.endsWith('\n') || v.endsWith('\r'),
  'name-not-portable': (n) => /[.-]/.test(n),
}

/** Whether `check` and `decode` read this format's documents themselves (see `probe`). */
const reads = { check: new Set<Format>(['env']), decode: new Set<Format>(['env']) }

test(`${RUNS} mutated .env documents through encode (every format), check and decode`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-fuzz-'))
  const input = join(dir, 'in.env')
  const plainSide = join(dir, 'plain.env')
  const known = join(dir, 'known.env_encoded')
  const tally = { encoded: 0, decodeRefused: 0, warnings: 0, byFormat: new Map<Format, number>() }
  try {
    writeFileSync(known, 'SECRET_N=dmFsdWU=\n')
    await probe(dir)
    await fuzz('mutated .env documents', 'fuzz/plain.test.js', RUNS, fc.asyncProperty(
      document, mutations(), fc.constantFrom(...FORMATS), fc.boolean(),
      async (doc, ms, format, lenient) => {
        const bytes = mutate(doc, ms)
        writeFileSync(input, bytes)

        // decode and check on the plain file itself: a clear outcome, whatever it holds.
        assertWellBehaved(await runInProcess(['decode', input]), 'decode of the plain file')
        assertWellBehaved(await runInProcess(['check', input, '--json']), 'check --json of the plain file', { json: true })

        const args = ['encode', input, '--stdout', '--format', format, ...(lenient ? ['--allow-duplicates', '--force'] : [])]
        const r = await runInProcess(args)
        assertWellBehaved(r, `encode --format ${format}`)
        if (r.status !== 0) {
          // The mutated file as the plain side of --against, next to a file that is fine.
          assertWellBehaved(await runInProcess(['check', known, '--against', input]), 'check --against the plain file')
          return
        }
        tally.encoded++
        tally.byFormat.set(format, (tally.byFormat.get(format) ?? 0) + 1)
        assert.ok(isUtf8(bytes) && !bytes.includes(0), 'accepted input is UTF-8 text')
        const expected = dotenvRecord(dotenv.parse(bytes.toString('utf8')))

        // What Kestra receives: each variable's text, decoded by its rules.
        const pairs: [string, string][] = format === 'env' ? envPairs(r.stdout) : readBack(format, r.stdout)
        assert.deepEqual(pairs.map(([v]) => v).sort(), [...expected.keys()].map((k) => `SECRET_${k}`).sort(), 'the names')
        assert.equal(new Set(pairs.map(([v]) => v)).size, pairs.length, 'no variable twice')
        const values = new Map<string, string>()
        for (const [variable, text] of pairs) {
          const d = decodeKestraValue(text)
          assert.ok(d.ok && d.utf8, `${variable} decodes`)
          const name = variable.slice('SECRET_'.length)
          assert.equal(d.text, expected.get(name), `${variable} is the value dotenv reads`)
          values.set(variable, d.text)
        }

        // The env file Kestra's variables come from (for the other formats: the same variables).
        const envText = format === 'env' ? r.stdout : pairs.map(([v, t]) => `${v}=${t}\n`).join('')
        const encodedFile = join(dir, 'out.env_encoded')
        writeFileSync(encodedFile, envText)
        writeFileSync(plainSide, bytes)
        const checked = [encodedFile]
        if (format !== 'env' && reads.check.has(format)) {
          const formatted = join(dir, outputName('.env', format))
          writeFileSync(formatted, r.stdout)
          checked.push(formatted)
        }
        for (const file of checked) {
          const c = await runInProcess(['check', file, '--against', plainSide, '--json'])
          assertWellBehaved(c, 'check of the output', { json: true })
          const report = JSON.parse(c.stdout) as CheckReport
          if (pairs.length === 0) {
            // No secret at all is not ready for Kestra, whatever wrote it.
            assert.equal(c.status, 1)
            assert.deepEqual(report.findings.map((f) => f.code), ['no-secrets'])
            continue
          }
          assert.equal(c.status, 0, `check fails on what encode wrote:\n${c.stdout}`)
          assert.equal(report.secrets, pairs.length)
          for (const f of report.findings) {
            if (f.code === 'no-entries' && f.severity === 'warning' && pairs.length === 0) continue
            const justified = JUSTIFIED[f.code]
            assert.ok(f.severity === 'warning' && justified !== undefined, `unexpected finding ${f.code} (${f.severity})`)
            // A key shown hidden (SECRET_<base64>) stands for the variables that display as it.
            const key = f.key
            const variables = key === undefined ? [] : key.includes('<base64>') ? [...values.keys()].filter((k) => displayName(k) === key) : [key]
            assert.ok(variables.some((k) => justified(k, values.get(k) ?? '')), `${f.code} on ${f.key} is not justified`)
            tally.warnings++
          }
        }

        const decoded = [encodedFile]
        if (format !== 'env' && reads.decode.has(format)) decoded.push(join(dir, outputName('.env', format)))
        for (const file of decoded) {
          if (file !== encodedFile) writeFileSync(file, r.stdout)
          const d = await runInProcess(['decode', file])
          assertWellBehaved(d, 'decode of the output')
          if (d.status === 0) {
            assert.deepEqual(dotenvRecord(dotenv.parse(d.stdout)), expected, 'decode gives back what dotenv read')
          } else {
            // Only a value that dotenv's grammar cannot write is refused, by name.
            const errors = d.stderr.split('\n').filter((l) => l.includes(': error: '))
            assert.ok(errors.length > 0)
            for (const e of errors) assert.match(e, /: error: the value of SECRET_\S+ mixes quotes, line breaks/, e)
            tally.decodeRefused++
          }
        }
      }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // The property means little unless enough cases reach the end, in every format.
  assert.ok(tally.encoded > RUNS / 5, `enough cases get through (${tally.encoded} of ${RUNS})`)
  for (const f of FORMATS) assert.ok((tally.byFormat.get(f) ?? 0) > RUNS / 50, `enough ${f} cases (${tally.byFormat.get(f) ?? 0})`)
  t.diagnostic(`${tally.encoded} of ${RUNS} encoded (${[...tally.byFormat].map(([f, n]) => `${f} ${n}`).join(', ')}); ` +
    `${tally.warnings} justified check warnings; decode refused ${tally.decodeRefused}; ` +
    `check reads ${[...reads.check].join(', ')}; decode reads ${[...reads.decode].join(', ')}`)
})

/** Every line of the env output is blank, a comment or `SECRET_<name>=<base64>`; its pairs in order. */
function envPairs(text: string): [string, string][] {
  const pairs: [string, string][] = []
  for (const l of text.split(/\r?\n/)) {
    assert.match(l, /^(?:|\s*#.*|SECRET_[\w.-]+=[A-Za-z0-9+/]*={0,2})$/, 'every output line is blank, a comment or an entry')
    const m = /^(SECRET_[\w.-]+)=(.*)$/.exec(l)
    if (m !== null) pairs.push([m[1] as string, m[2] as string])
  }
  assert.deepEqual(pairs, Object.entries(dotenv.parse(text)), 'dotenv reads the same pairs')
  return pairs
}

/**
 * Whether check and decode read a format's documents themselves (they read env files; reading
 * the other formats is being added): when one does, the property also runs it on the format's
 * own output, not only on the variables that output carries.
 */
async function probe(dir: string): Promise<void> {
  writeFileSync(join(dir, 'probe.env'), 'PROBE=value\n')
  for (const format of FORMATS) {
    if (format === 'env') continue
    const r = await runInProcess(['encode', join(dir, 'probe.env'), '--stdout', '--format', format])
    const file = join(dir, outputName('.env', format))
    writeFileSync(file, r.stdout)
    const c = await runInProcess(['check', file, '--json'])
    if (c.status === 0 && (JSON.parse(c.stdout) as CheckReport).secrets === 1) reads.check.add(format)
    const d = await runInProcess(['decode', file])
    if (d.status === 0 && dotenv.parse(d.stdout).PROBE === 'value') reads.decode.add(format)
  }
}

test('a seed replays the same cases', () => {
  const arbitrary = fc.tuple(document, mutations(), fc.constantFrom(...FORMATS), fc.boolean())
    .map(([doc, ms, format, lenient]) => [mutate(doc, ms).toString('hex'), format, lenient])
  assert.deepEqual(fc.sample(arbitrary, { seed: 42, numRuns: 200 }), fc.sample(arbitrary, { seed: 42, numRuns: 200 }))
})
