// The k8s-secret format against the real kubectl, where it is installed (skipped otherwise; the
// model in src/core/formats/kubectl.ts and the property tests check the same equivalence without
// it):
//
// - `kubectl create secret generic NAME --from-env-file=<our env output> --dry-run=client` gives
//   exactly the data of our Secret manifest, read back by kubectl itself (`kubectl kustomize`,
//   which needs no cluster);
// - our model of kubectl's env-file reading agrees with kubectl on files we do not write, too.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { encodeEnv, renderEnv } from '../../../src/core/encode.js'
import { renderFormat } from '../../../src/core/formats/index.js'
import { readKubectlEnvFile } from '../../../src/core/formats/kubectl.js'
import { withTempDir } from '../../helpers.js'
import { envDocument, formatsFixturesDir, yaml } from './helpers.js'

function kubectlMissing(): string | false {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 30_000 })
  if (r.error) return `kubectl is not on PATH (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`
  if (r.status !== 0) return 'kubectl version --client failed'
  return false
}
const skip = kubectlMissing()

type Data = Record<string, string>

/** The Secret data kubectl makes from an env file, or its error line. */
function kubectlFromEnvFile(dir: string, envText: string): { data: Data } | { error: string } {
  const file = join(dir, 'input.env')
  writeFileSync(file, envText)
  const r = spawnSync('kubectl', ['create', 'secret', 'generic', 'kestra-secrets', `--from-env-file=${file}`,
    '--dry-run=client', '-o', 'json'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } })
  if (r.status !== 0) return { error: r.stderr }
  return { data: (JSON.parse(r.stdout) as { data?: Data }).data ?? {} }
}

/** Our manifest as kubectl reads it (through kustomize, offline). */
function kubectlReadsManifest(dir: string, manifest: string): Data {
  writeFileSync(join(dir, 'secret.yaml'), manifest)
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - secret.yaml\n')
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } })
  assert.equal(r.status, 0, r.stderr)
  const doc = yaml.parse(r.stdout) as { kind: string; metadata: { name: string }; data?: Data }
  assert.equal(doc.kind, 'Secret')
  return doc.data ?? {}
}

/** The model's Secret data, for comparison with kubectl's. */
function modelData(envText: string): { data: Data } | { error: string } {
  const m = readKubectlEnvFile(envText)
  if (m.error) return { error: `line ${m.error.line}: ${m.error.reason}` }
  const data: Data = {}
  for (const e of m.entries) data[e.name] = Buffer.from(e.value ?? '', 'utf8').toString('base64')
  return { data }
}

const sorted = (d: Data): Data => Object.fromEntries(Object.entries(d).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

function checkEquivalence(dir: string, source: string): void {
  const result = encodeEnv(source)
  assert.ok(result.ok)
  const env = renderEnv(result.items, result.eol)
  const fromKubectl = kubectlFromEnvFile(dir, env)
  assert.ok('data' in fromKubectl, `kubectl rejects our env output: ${'error' in fromKubectl ? fromKubectl.error : ''}`)
  const manifest = renderFormat('k8s-secret', result.items, { eol: result.eol, yaml })
  assert.deepEqual(sorted(kubectlReadsManifest(dir, manifest)), sorted(fromKubectl.data))
  const model = modelData(env)
  assert.ok('data' in model)
  assert.deepEqual(sorted(model.data), sorted(fromKubectl.data))
}

test('kubectl: the fixtures\' Secrets equal kubectl create secret --from-env-file', { skip }, () => withTempDir((dir) => {
  const fixtures = formatsFixturesDir()
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.env') && f !== 'bom-comment.env')) {
    checkEquivalence(dir, readFileSync(join(fixtures, file), 'utf8'))
  }
}))

test('kubectl: generated documents\' Secrets equal kubectl create secret --from-env-file', { skip }, () => withTempDir((dir) => {
  const sources = fc.sample(envDocument.filter((s) => encodeEnv(s).ok), { numRuns: 12, seed: 42 })
  for (const source of sources) checkEquivalence(dir, source)
}))

test('kubectl: the model reads env files as kubectl does, ours or not', { skip }, () => withTempDir((dir) => {
  const cases = [
    'A=1\n#c\n  # indented\n\n',
    '  A=x\t\n\u0085B= y \r\nC="q" # not a comment\n',
    '\ufeffA=first line BOM\n',
    'A=1\n\ufeff# BOM later\n',
    'A=1\nA=2\n',
    'export A=1\n',
    'A.b-c_9=1\n9A=1\n',
    `${'K'.repeat(254)}=1\n`,
    'A=a=b==\nB=\n',
    'A=no newline at the end',
    'A=1\u2028B=2\n',
  ]
  for (const text of cases) {
    const real = kubectlFromEnvFile(dir, text)
    const model = modelData(text)
    assert.equal('error' in model, 'error' in real, `${JSON.stringify(text)}: ${JSON.stringify(real)}`)
    if ('data' in real && 'data' in model) assert.deepEqual(sorted(model.data), sorted(real.data), JSON.stringify(text))
  }
}))

test('kubectl: a line of 64 KiB or more silently ends the Secret there (model and kubectl)', { skip }, () => withTempDir((dir) => {
  for (const length of [65_535, 65_536]) {
    const long = `L=${'Q'.repeat(length - 2)}`
    const text = `A=YQ==\n${long}\nB=Yg==\n`
    const real = kubectlFromEnvFile(dir, text)
    assert.ok('data' in real)
    const model = readKubectlEnvFile(text)
    const keys = Object.keys(real.data).sort()
    assert.deepEqual(keys, length < 65_536 ? ['A', 'B', 'L'] : ['A'])
    assert.deepEqual(model.entries.map((e) => e.name).sort(), keys)
    assert.equal(model.truncatedAt, length < 65_536 ? undefined : 2)
  }
}))
