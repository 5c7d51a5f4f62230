// readFormatted on Helm values files: every list the chart reads (common.extraEnv, each
// deployment's and worker group's extraEnv, chart 0.x's extraEnv), in document order and with the
// list each entry came from; valueFrom entries and mounted Secrets are returned apart, as defined
// elsewhere, never as errors.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readFormatted, sameEnvironment, type FormattedDocument } from '../../../src/core/formats/read.js'
import { formatsFixturesDir, yaml } from './helpers.js'

const FIXTURES = join(formatsFixturesDir(), 'read')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')
const read = (text: string): FormattedDocument | undefined => readFormatted(text, yaml)
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const entries = (doc: FormattedDocument | undefined): [string, string, number, string | undefined][] =>
  (doc?.entries ?? []).map((e) => [e.variable, e.encoded, e.line, e.list])
const codes = (doc: FormattedDocument | undefined): string[] =>
  (doc?.diagnostics ?? []).map((d) => `${d.line ?? '-'}:${d.severity}:${d.code}${d.key === undefined ? '' : `:${d.key}`}`)

test('chart 1.0: common.extraEnv, every deployment\'s and worker group\'s extraEnv, in document order', () => {
  const doc = read(fixture('deployments.helm.yaml'))
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(entries(doc), [
    ['SECRET_SHARED', b64('shared'), 5, 'common.extraEnv'],
    ['SECRET_WEB_TOKEN', b64('web'), 21, 'deployments.webserver.extraEnv'],
    // Read, so that check finds it is not base64 (it passed before, unread).
    ['SECRET_WORKER_KEY', 'not base64!', 26, 'deployments.worker.extraEnv'],
    ['SECRET_GPU', b64('gpu'), 38, 'workerGroups.gpu.extraEnv'],
  ])
  assert.deepEqual(codes(doc), ['8:note:defined-elsewhere:SECRET_FROM_VAULT', '28:note:defined-elsewhere:POD_NAME'])
})

test('a values file with only deployments lists is a values file, not a .env of KEY: value lines', () => {
  const doc = read(fixture('deployments-only.helm.yaml'))
  assert.equal(doc?.format, 'helm')
  assert.deepEqual(entries(doc), [
    ['SECRET_EXECUTOR', b64('executor'), 5, 'deployments.executor.extraEnv'],
    ['SECRET_SCHEDULER', 'hunter2', 9, 'deployments.scheduler.extraEnv'],
  ])
  // Settings of deployments without lists are no values file of ours, and no .env either.
  assert.equal(read('deployments:\n  webserver: {enabled: true}\n'), undefined)
})

test('chart 0.x: extraEnv and a deployment\'s own extraEnv; extraSecretEnvFrom mounts', () => {
  const doc = read(fixture('legacy.helm-legacy.yaml'))
  assert.equal(doc?.format, 'helm-legacy')
  assert.deepEqual(entries(doc), [
    ['SECRET_ALL', b64('all'), 3, 'extraEnv'],
    ['SECRET_EXECUTOR_ONLY', b64('executor'), 12, 'deployments.executor.extraEnv'],
  ])
  assert.deepEqual(doc.mounts, [
    { secret: 'kestra-secrets', line: 6, list: 'extraSecretEnvFrom' },
    { secret: 'more-secrets', line: 7, list: 'extraSecretEnvFrom', prefix: 'SECRET_' },
  ])
  assert.deepEqual(codes(doc), [])
})

test('valueFrom is defined elsewhere: a note and an external variable, never an error', () => {
  const doc = read(fixture('deployments.helm.yaml'))
  assert.deepEqual(doc?.external, [
    { variable: 'SECRET_FROM_VAULT', line: 8, from: 'secretKeyRef', list: 'common.extraEnv' },
    { variable: 'POD_NAME', line: 28, from: 'fieldRef', list: 'deployments.worker.extraEnv' },
  ])
  const notes = doc.diagnostics.filter((d) => d.code === 'defined-elsewhere')
  assert.ok(notes.every((d) => d.severity === 'note'))
  assert.match(notes[0]?.message ?? '', /^SECRET_FROM_VAULT takes its value from valueFrom\.secretKeyRef/)
  // Each source Kubernetes knows; an empty or doubled valueFrom, or one beside a value, it rejects.
  const forms = read([
    'common:',
    '  extraEnv:',
    '    - {name: SECRET_CM, valueFrom: {configMapKeyRef: {name: c, key: k}}}',
    '    - {name: LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}',
    '    - {name: SECRET_EMPTY, valueFrom: {}}',
    '    - {name: SECRET_TWO, valueFrom: {secretKeyRef: {name: s, key: k}, fieldRef: {fieldPath: x}}}',
    `    - {name: SECRET_BOTH, value: "${b64('x')}", valueFrom: {secretKeyRef: {name: s, key: k}}}`,
    '    - {name: SECRET_BLANK, value: "", valueFrom: {secretKeyRef: {name: s, key: k}}}',
    '',
  ].join('\n'))
  assert.deepEqual(forms?.external.map((v) => [v.variable, v.from]),
    [['SECRET_CM', 'configMapKeyRef'], ['LIMIT', 'resourceFieldRef'], ['SECRET_BLANK', 'secretKeyRef']])
  assert.deepEqual(codes(forms), [
    '3:note:defined-elsewhere:SECRET_CM', '4:note:defined-elsewhere:LIMIT', '5:error:format-invalid:SECRET_EMPTY',
    '6:error:format-invalid:SECRET_TWO', '7:error:format-invalid:SECRET_BOTH', '8:note:defined-elsewhere:SECRET_BLANK',
  ])
  assert.deepEqual(forms.entries, [])
})

test('extraEnvFrom mounts whole Secrets (common and per deployment); ConfigMaps are passed over', () => {
  const doc = read(fixture('deployments.helm.yaml'))
  assert.deepEqual(doc?.mounts, [
    { secret: 'kestra-secrets', line: 13, list: 'common.extraEnvFrom' },
    { secret: 'worker-secrets', line: 32, list: 'deployments.worker.extraEnvFrom', prefix: 'SECRET_' },
  ])
  // A mount is enough to make a values file; broken ones are errors that name no value.
  const only = read('common:\n  extraEnvFrom:\n    - secretRef: {name: s}\n')
  assert.equal(only?.format, 'helm')
  assert.deepEqual(only.mounts, [{ secret: 's', line: 3, list: 'common.extraEnvFrom' }])
  const broken = read([
    'common:',
    '  extraEnvFrom:',
    '    - secretRef: {}',
    '    - secretRef: {name: Not_A_Name}',
    '    - just text',
    'deployments:',
    '  worker:',
    '    extraEnvFrom: {secretRef: {name: s}}',
    '',
  ].join('\n'))
  assert.deepEqual(codes(broken), ['3:error:format-invalid', '4:error:format-invalid', '5:error:format-invalid', '8:error:format-invalid'])
  assert.deepEqual(broken?.mounts, [])
})

test('a worker group whose deployment of the same name sets the list is left out, as the chart merges them', () => {
  const doc = read([
    'deployments:',
    '  gpu:',
    `    extraEnv: [{name: SECRET_D, value: "${b64('d')}"}]`,
    'workerGroups:',
    '  gpu:',
    `    extraEnv: [{name: SECRET_W, value: "${b64('w')}"}]`,
    '  cpu:',
    `    extraEnv: [{name: SECRET_C, value: "${b64('c')}"}]`,
    '',
  ].join('\n'))
  assert.deepEqual(entries(doc).map((e) => e[0]), ['SECRET_D', 'SECRET_C'])
  assert.deepEqual(codes(doc), ['6:warning:format-skipped'])
  assert.match(doc?.diagnostics[0]?.message ?? '', /workerGroups\.gpu\.extraEnv is left out.*deployments\.gpu\.extraEnv wins/)
})

test('chart 1.0 files still warn about a top-level extraEnv or extraSecretEnvFrom, which only 0.x reads', () => {
  const doc = read([
    `common: {extraEnv: [{name: SECRET_A, value: "${b64('a')}"}]}`,
    `extraEnv: [{name: SECRET_OLD, value: "${b64('old')}"}]`,
    'extraSecretEnvFrom: [{name: s}]',
    '',
  ].join('\n'))
  assert.deepEqual(entries(doc).map((e) => e[0]), ['SECRET_A'])
  assert.deepEqual(codes(doc), ['2:warning:format-skipped', '3:warning:format-skipped'])
  assert.deepEqual(doc?.mounts, [])
})

test('comments of every list, in document order; those after a list\'s last entry stay with it', () => {
  const doc = readFormatted([
    '# top',
    '',
    'deployments:',
    '  # the worker',
    '  worker:',
    '    extraEnv:',
    `      - {name: SECRET_W, value: "${b64('w')}"}`,
    '      # after the worker\'s list',
    'common:',
    '  extraEnv:',
    '    # the common list',
    `    - {name: SECRET_C, value: "${b64('c')}"}`,
    '    # the end',
    '',
  ].join('\n'), yaml, { comments: true })
  assert.deepEqual(doc?.entries.map((e) => [e.variable, e.list, e.commentBefore, e.comment]), [
    ['SECRET_W', 'deployments.worker.extraEnv', ' the worker', ' after the worker\'s list'],
    ['SECRET_C', 'common.extraEnv', ' the common list', undefined],
  ])
  assert.equal(doc.commentBefore, ' top')
  assert.equal(doc.comment, ' the end')
})

test('names of deployments that no .env could hold are shown as displayName shows them', () => {
  const doc = read(`deployments:\n  "web\\u001bserver x":\n    extraEnv:\n      - just text\n      - {name: SECRET_A, value: ""}\n`)
  assert.deepEqual(entries(doc).map((e) => e[3]), ['deployments.web….extraEnv'])
  assert.deepEqual(codes(doc), ['4:error:format-invalid'])
  assert.doesNotMatch(doc?.diagnostics[0]?.message ?? '', /[\x00-\x1f]|server x/)
  assert.match(doc?.diagnostics[0]?.message ?? '', /deployments\.web…\.extraEnv/)
})

test('sameEnvironment: chart 1.0 appends a deployment\'s list to common.extraEnv; 0.x uses one or the other', () => {
  assert.equal(sameEnvironment('helm', 'common.extraEnv', 'deployments.worker.extraEnv'), true)
  assert.equal(sameEnvironment('helm', 'deployments.worker.extraEnv', 'deployments.worker.extraEnv'), true)
  assert.equal(sameEnvironment('helm', 'deployments.worker.extraEnv', 'deployments.webserver.extraEnv'), false)
  assert.equal(sameEnvironment('helm-legacy', 'extraEnv', 'deployments.worker.extraEnv'), false)
  assert.equal(sameEnvironment('k8s-secret', undefined, undefined), true)
})

test('aliases are read in each place that names them, up to 4 times the document\'s size (and 256 KiB)', () => {
  const fan = (n: number, deployments: number): string => ['shared: &L',
    ...Array.from({ length: n }, (_, i) => `  - {name: SECRET_K${i}, value: "${b64('v')}"}`),
    'deployments:', ...Array.from({ length: deployments }, (_, i) => `  d${i}: {extraEnv: *L}`)].join('\n') + '\n'
  // 30 deployments sharing 50 entries: 1,500 entries, all read.
  const fine = read(fan(50, 30))
  assert.equal(fine?.entries.length, 1500)
  assert.deepEqual(codes(fine), [])
  assert.equal(fine?.entries.at(-1)?.list, 'deployments.d29.extraEnv')
  // 1,000 deployments sharing 1,000 entries would be a million: reading stops, with one error at
  // the entry where the bound is passed, and the document is still read as Helm.
  const attack = fan(1000, 1000)
  const stopped = read(attack)
  assert.equal(stopped?.format, 'helm')
  const kept = stopped?.entries.length ?? 0
  // Each entry costs its name, its value and 16: 4 times the text and 256 KiB, in entries.
  const budget = 4 * attack.length + 256 * 1024
  assert.ok(kept > budget / ('SECRET_K999'.length + b64('v').length + 16) && kept <= budget / ('SECRET_K0'.length + b64('v').length + 16), String(kept))
  assert.equal(stopped?.diagnostics.length, 1)
  assert.equal(stopped?.diagnostics[0]?.code, 'format-invalid')
  // At the line of the entry that passes it: an item of the shared list (lines 2 to 1,001).
  const line = stopped?.diagnostics[0]?.line ?? 0
  assert.ok(line >= 2 && line <= 1001, String(line))
  assert.match(stopped?.diagnostics[0]?.message ?? '', /^through its aliases, this document would hold more than 4 times its own size/)
  // One large value named by every entry: as many copies, until the bound.
  const big = ['big: &B "' + b64('x'.repeat(75_000)) + '"', 'common:', '  extraEnv:',
    ...Array.from({ length: 3000 }, (_, i) => `    - {name: SECRET_K${i}, value: *B}`)].join('\n') + '\n'
  const copies = read(big)
  assert.deepEqual(copies?.diagnostics.map((d) => d.code), ['format-invalid'])
  const held = (copies?.entries ?? []).reduce((n, e) => n + e.encoded.length, 0)
  assert.ok(held <= 4 * big.length + 256 * 1024 && held > 4 * big.length, String(held))
  // A Secret's data through aliases, the same.
  const secret = ['apiVersion: v1', 'kind: Secret', 'metadata: {name: s}', 'x: &B "' + b64('y'.repeat(75_000)) + '"', 'data:',
    ...Array.from({ length: 3000 }, (_, i) => `  K${i}: *B`)].join('\n') + '\n'
  // (x, which only holds the anchor, is no field of a Secret: a warning.)
  assert.deepEqual(read(secret)?.diagnostics.map((d) => `${d.severity}:${d.code}`), ['warning:format-invalid', 'error:format-invalid'])
})
