// Mutation fuzzing of what decode and check read: encoded .env files (with every kind of entry
// that check knows, from the shell loop's junk to wrapped, quoted and URL-safe values) and
// YAML/JSON documents written by encode --format. For each mutated document decode and check
// (lines and --json) exit 0 or 1 and never show a stack trace, the two forms of check agree, and
// when check says a file is ready, it is: every SECRET_ variable that docker compose (dotenv) reads
// decodes by Kestra's rules, kubectl reads the same variables with the same values, and decode's
// .env holds exactly those values (or decode refuses, by name, a value no .env can hold).
//
// See fuzz.helpers.ts for FUZZ_RUNS, FUZZ_SEED and FUZZ_PATH.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import dotenv from 'dotenv'
import * as yaml from 'yaml'
import { runInProcess, withTempDirAsync } from '../helpers.js'
import { envDocument } from '../core/formats/helpers.js'
import { encodeEnv } from '../../src/core/encode.js'
import { outputName, renderFormat, type Format } from '../../src/core/formats/index.js'
import { readKubectlEnvFile } from '../../src/core/formats/kubectl.js'
import { decodeKestraValue } from '../../src/core/kestra.js'
import {
  RUNS, assertWellBehaved, dotenvRecord, fuzz, mutate, structuralMutations, type CheckReport, type Ran,
} from './helpers.js'

const ENCODED_RUNS = Math.ceil(RUNS * 0.4)
const FORMATTED_RUNS = Math.ceil(RUNS * 0.2)

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const wrap = (s: string, width: number): string => (s.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']).join('\n')

/** How an entry is written: right, or in one of the ways check must catch. */
const FORMS = {
  plain: (n: string, v: string) => `SECRET_${n}=${b64(v)}`,
  wrap76: (n: string, v: string) => `SECRET_${n}=${wrap(b64(v), 76)}`,
  wrap64: (n: string, v: string) => `SECRET_${n}=${wrap(b64(v), 64)}`,
  quoted: (n: string, v: string) => `SECRET_${n}="${b64(v)}"`,
  single: (n: string, v: string) => `SECRET_${n}='${b64(v)}'`,
  export: (n: string, v: string) => `export SECRET_${n}=${b64(v)}`,
  colon: (n: string, v: string) => `SECRET_${n}: ${b64(v)}`,
  spaced: (n: string, v: string) => `SECRET_${n} = ${b64(v)}`,
  comment: (n: string, v: string) => `SECRET_${n}=${b64(v)} # note`,
  urlsafe: (n: string, v: string) => `SECRET_${n}=${b64(v).replace(/\+/g, '-').replace(/\//g, '_')}`,
  unpadded: (n: string, v: string) => `SECRET_${n}=${b64(v).replace(/=+$/, '')}`,
  echo: (n: string, v: string) => `SECRET_${n}=${b64(`${v}\n`)}`,
  twice: (n: string, v: string) => `SECRET_${n}=${b64(b64(v))}`,
  never: (n: string, v: string) => `SECRET_${n}=${v}`,
  template: (n: string, v: string) => `SECRET_${n}={{ "${v}" | base64encode }}`,
  lower: (n: string, v: string) => `secret_${n}=${b64(v)}`,
  other: (n: string, v: string) => `${n}=${b64(v)}`,
}
const form = fc.constantFrom(...(Object.keys(FORMS) as Array<keyof typeof FORMS>))
const encodedLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(
    fc.constantFrom('A', 'B', 'C', 'D_E', 'DB_PASSWORD', 'token', 'TOKEN', 'X.Y', 'a-b', '_', 'N1'),
    fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ minLength: 48, maxLength: 100 })),
    fc.oneof({ weight: 12, arbitrary: fc.constant('plain' as const) }, { weight: 4, arbitrary: form }),
  ).map(([n, v, f]) => FORMS[f](n, v)) },
  { weight: 1, arbitrary: fc.constantFrom('# comment', '', '  ', 'junk line', 'SECRET_=', 'SECRET_# a comment=Iw==',
    'SECRET_export A=MQ==', 'OTHER', '\ufeffSECRET_B=Yg==', 'SECRET_C=\t') },
)
const encodedDocument = fc.tuple(fc.array(encodedLine, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean())
  .map(([lines, eol, last, bom]) => ((bom ? '\ufeff' : '') + lines.join('\n') + (last ? '\n' : '')).replace(/\n/g, eol))

/** decode, check --json and check of one file: all well behaved, the two checks agreeing. */
async function runAll(file: string): Promise<{ decoded: Ran; json: Ran; report: CheckReport | undefined }> {
  const decoded = await runInProcess(['decode', file])
  assertWellBehaved(decoded, 'decode')
  const json = await runInProcess(['check', file, '--json'])
  assertWellBehaved(json, 'check --json', { json: true })
  const lines = await runInProcess(['check', file])
  assertWellBehaved(lines, 'check')
  assert.equal(lines.status, json.status, 'check and check --json agree')
  assert.equal(lines.stdout, '', 'check prints nothing on stdout')
  return { decoded, json, report: json.stdout === '' ? undefined : JSON.parse(json.stdout) as CheckReport }
}

test(`${ENCODED_RUNS} mutated encoded files through decode and check; a file check passes is ready`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-fuzz-'))
  const file = join(dir, '.env_encoded')
  const tally = { ready: 0, secrets: 0, decoded: 0 }
  try {
    await fuzz('mutated encoded files', 'fuzz/encoded.test.js', ENCODED_RUNS, fc.asyncProperty(
      encodedDocument, structuralMutations(4), fc.boolean(),
      async (doc, ms, mutated) => {
        const bytes = mutated ? mutate(doc, ms) : Buffer.from(doc)
        writeFileSync(file, bytes)
        const { decoded, json, report } = await runAll(file)
        if (json.status !== 0 || report === undefined) return
        tally.ready++

        // Ready means: what docker compose reads (dotenv) is what Kestra decodes...
        const text = bytes.toString('utf8')
        const compose = dotenvRecord(dotenv.parse(text))
        const secrets = new Map<string, string>()
        for (const [variable, value] of compose) {
          if (!variable.startsWith('SECRET_') || variable === 'SECRET_') continue
          const d = decodeKestraValue(value)
          assert.ok(d.ok && d.utf8, `check passes ${variable}, which Kestra cannot decode`)
          secrets.set(variable, d.text)
        }
        assert.equal(report.secrets, secrets.size, 'check counts the secrets compose reads')
        tally.secrets += secrets.size

        // decode gives each value back, or refuses by name one that no .env can hold, or a name twice.
        if (decoded.status === 0) {
          tally.decoded++
          const plain = dotenvRecord(dotenv.parse(decoded.stdout))
          for (const [variable, value] of secrets) {
            const name = variable.slice('SECRET_'.length)
            // An entry without the prefix is kept as it is, and may bear the same name.
            if (!compose.has(name)) assert.equal(plain.get(name), value, variable)
          }
        } else {
          for (const e of decoded.stderr.split('\n').filter((l) => l.includes(': error: '))) {
            // A value no .env can hold, or SECRET_X beside X, which decode would write as X twice.
            assert.match(e, /: error: (the value of SECRET_\S+ (mixes quotes|decodes to text with a NUL)|\S+ \(line \d+\) and \S+ would both be written as )/, e)
          }
        }

        // ... and kubectl reads, the same variables with the same values.
        const kubectl = readKubectlEnvFile(text)
        assert.equal(kubectl.error, undefined, `check passes a file kubectl rejects (line ${kubectl.error?.line})`)
        const fromKubectl = new Map(kubectl.entries.filter((e) => e.name.startsWith('SECRET_') && e.name !== 'SECRET_')
          .map((e) => [e.name, e.value]))
        assert.deepEqual(fromKubectl, new Map([...compose].filter(([k]) => secrets.has(k))), 'kubectl reads what compose reads')
      }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  assert.ok(tally.ready > ENCODED_RUNS / 20, `enough files are ready (${tally.ready})`)
  t.diagnostic(`${tally.ready} of ${ENCODED_RUNS} ready, with ${tally.secrets} secrets; ${tally.decoded} decoded`)
})

const FORMATTED: Exclude<Format, 'env'>[] = ['helm', 'helm-legacy', 'k8s-secret', 'json']

test(`${FORMATTED_RUNS} mutated YAML and JSON documents through decode and check`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestra-secrets-fuzz-'))
  let ready = 0
  try {
    await fuzz('mutated YAML and JSON', 'fuzz/encoded.test.js', FORMATTED_RUNS, fc.asyncProperty(
      envDocument, fc.constantFrom(...FORMATTED), structuralMutations(6),
      async (doc, format, ms) => {
        const encoded = encodeEnv(doc, { allowDuplicates: true, force: true })
        const items = encoded.ok ? encoded.items : encodeEnv('A=1\n').items
        const text = renderFormat(format, items, { eol: encoded.eol, yaml })
        const file = join(dir, outputName('.env', format))
        writeFileSync(file, mutate(text, ms))
        const { json } = await runAll(file)
        if (json.status === 0) ready++
      }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  t.diagnostic(`${ready} of ${FORMATTED_RUNS} passed check`)
})

// What the fuzzing found, each on its smallest input: check said "ready" for files that
// `kubectl create secret generic --from-env-file` rejects whole (checked with kubectl 1.x), so
// that no secret of the file reaches Kestra.
const kubectlRejects: Array<[string, string]> = [
  ['a name without the prefix defined twice', 'SECRET_X=eA==\nA=1\nA=2\n'],
  ['a name without the prefix in the NAME: value form', 'SECRET_X=eA==\nOTHER: x\n'],
  ['a name without the prefix after export', 'SECRET_X=eA==\nexport OTHER=x\n'],
  ['a line holding only a byte-order mark', 'SECRET_X=eA==\n\ufeff\n'],
  ['a second byte-order mark at the start', '\ufeff\ufeffSECRET_X=eA==\n'],
]
for (const [what, text] of kubectlRejects) {
  test(`check fails a file kubectl rejects: ${what}`, async () => withTempDirAsync(async (dir) => {
    assert.ok(readKubectlEnvFile(text).error !== undefined, 'the kubectl model rejects it')
    writeFileSync(join(dir, '.env_encoded'), text)
    const r = await runInProcess(['check', join(dir, '.env_encoded')])
    assert.match(r.stderr, /for Kestra: 1 secret/)
    assert.equal(r.status, 1, r.stderr)
  }))
}
