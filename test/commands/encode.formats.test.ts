// Black-box runs of the built bin with --format: output names, modes, what goes to stdout and
// stderr, the Secret's mount snippet, usage errors, and that the default path never loads yaml.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeEnv } from '../../src/core/encode.js'
import { renderFormat } from '../../src/core/formats/index.js'
import { loadsYaml, runCli, runInProcess, withTempDir, withTempDirAsync } from '../helpers.js'
import { expectedPairs, readBack, yaml } from '../core/formats/helpers.js'

const SAMPLE = '# db\nDB_PASSWORD="hunter2" # prod\nexport API_KEY=abc\n'
const mode = (p: string): number => statSync(p).mode & 0o777
const expected = (format: 'helm' | 'helm-legacy' | 'k8s-secret' | 'json', extra: { name?: string; namespace?: string } = {}): string =>
  renderFormat(format, encodeEnv(SAMPLE).items, { yaml, ...extra })

const MOUNT = [
  'mount it in Kestra with these Helm values (chart 1.0 and later):',
  '  common:',
  '    extraEnvFrom:',
  '      - secretRef:',
  '          name: "kestra-secrets"',
  'or, for chart 0.x:',
  '  extraSecretEnvFrom:',
  '    - name: "kestra-secrets"',
  '',
].join('\n')

test('each format is written beside the input under its own name, mode 0600, nothing on stdout', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  const cases = [
    ['helm', 'values.secrets.yaml'], ['helm-legacy', 'values.secrets.yaml'], ['k8s-secret', 'secret.yaml'], ['json', '.env_encoded.json'],
  ] as const
  for (const [format, name] of cases) {
    const r = runCli(['encode', '.env', '--format', format], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '')
    const summary = `encoded 2 secrets from .env to ${name}\n`
    assert.equal(r.stderr, format === 'k8s-secret' ? `${summary}apply it with: kubectl apply -f secret.yaml\n${MOUNT}` : summary)
    const path = join(dir, name)
    assert.equal(readFileSync(path, 'utf8'), expected(format))
    assert.equal(mode(path), 0o600)
    assert.deepEqual(readBack(format, readFileSync(path, 'utf8')), expectedPairs(encodeEnv(SAMPLE).entries))
  }
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env_encoded.json', 'secret.yaml', 'values.secrets.yaml'])
  // --format env is the default.
  const env = runCli(['encode', '.env', '--format', 'env', '--stdout'], { cwd: dir })
  assert.equal(env.stdout, runCli(['encode', '.env', '--stdout'], { cwd: dir }).stdout)
}))

test('the default name goes beside the input, wherever that is; -o writes where asked', () => withTempDir((dir) => {
  mkdirSync(join(dir, 'config'))
  writeFileSync(join(dir, 'config', 'prod.env'), SAMPLE)
  const r = runCli(['encode', 'config/prod.env', '--format', 'helm'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(join(dir, 'config', 'prod.env_encoded.values.yaml'), 'utf8'), expected('helm'))
  // Another input in the same folder never takes its output.
  writeFileSync(join(dir, 'config', 'staging.env'), 'OTHER=1\n')
  assert.equal(runCli(['encode', 'config/staging.env', '--format', 'helm'], { cwd: dir }).status, 0)
  assert.equal(readFileSync(join(dir, 'config', 'prod.env_encoded.values.yaml'), 'utf8'), expected('helm'))
  assert.match(readFileSync(join(dir, 'config', 'staging.env_encoded.values.yaml'), 'utf8'), /SECRET_OTHER/)
  const o = runCli(['encode', 'config/prod.env', '--format', 'json', '-o', 'out.json'], { cwd: dir })
  assert.equal(o.status, 0, o.stderr)
  assert.equal(readFileSync(join(dir, 'out.json'), 'utf8'), expected('json'))
  assert.equal(mode(join(dir, 'out.json')), 0o600)
}))

test('--stdout, -o - and stdin: the document alone on stdout, messages on stderr', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  for (const args of [['encode', '.env', '--stdout'], ['encode', '.env', '-o', '-'], ['encode', '-']]) {
    const r = runCli([...args, '--format', 'k8s-secret', '--name', 'kestra-prod', '--namespace', 'kestra'], { cwd: dir, input: SAMPLE })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, expected('k8s-secret', { name: 'kestra-prod', namespace: 'kestra' }))
    assert.match(r.stderr, /^encoded 2 secrets from (\.env|<stdin>) to stdout\nmount it in Kestra/)
    assert.ok(r.stderr.includes('          name: "kestra-prod"\n'))
    assert.ok(r.stderr.includes('    - name: "kestra-prod"\n'))
    assert.doesNotMatch(r.stderr, /kubectl apply/, 'nothing to apply: the manifest went to stdout')
  }
  assert.deepEqual(readdirSync(dir), ['.env'])
}))

test('--quiet: no summary and no snippet', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  const r = runCli(['encode', '--format', 'k8s-secret', '-q'], { cwd: dir })
  assert.equal(r.status, 0)
  assert.equal(r.stderr, '')
  assert.ok(existsSync(join(dir, 'secret.yaml')))
}))

test('CRLF input gives CRLF YAML and JSON', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE.replace(/\n/g, '\r\n'))
  for (const format of ['helm', 'json'] as const) {
    const r = runCli(['encode', '--format', format, '--stdout', '-q'], { cwd: dir })
    assert.equal(r.stdout, expected(format).replace(/\n/g, '\r\n'))
  }
}))

test('usage errors: exit 2, one line, nothing written', async () => withTempDirAsync(async (dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  const cases: [string[], RegExp][] = [
    [['--format', 'yaml'], /argument 'yaml' is invalid\. Allowed choices are env, helm, helm-legacy, k8s-secret, json/],
    [['--format', 'k8s-secret', '--name', 'Kestra_Secrets'], /--name "Kestra_Secrets" is not a valid Secret name/],
    [['--format', 'k8s-secret', '--name', `${'a'.repeat(254)}`], /is not a valid Secret name/],
    [['--format', 'k8s-secret', '--name', '-x'], /is not a valid Secret name/],
    [['--format', 'k8s-secret', '--namespace', 'a.b'], /--namespace "a\.b" is not a valid namespace/],
    [['--format', 'helm', '--name', 'x'], /--name names the Kubernetes Secret, so it goes with --format k8s-secret only/],
    [['--namespace', 'x'], /--namespace .* --format k8s-secret only/],
  ]
  // The first through the bin, whose exit code is the process's; the others in-process, where the
  // message and the code are the same run()'s.
  for (const [i, [args, message]] of cases.entries()) {
    const argv = ['encode', '.env', ...args]
    const r = i === 0 ? runCli(argv, { cwd: dir }) : await runInProcess(argv, { cwd: dir })
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, message)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.equal(r.stdout, '')
  }
  assert.deepEqual(readdirSync(dir), ['.env'])
  // Valid names: dots, digits, and the words YAML 1.1 reads as booleans.
  for (const name of ['kestra.secrets-2', 'yes', '123']) {
    const r = runCli(['encode', '.env', '--format', 'k8s-secret', '--name', name, '--stdout'], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.equal((yaml.parse(r.stdout, { version: '1.1' }) as { metadata: { name: unknown } }).metadata.name, name)
  }
}))

test('input errors write nothing in any format; --strict turns warnings into errors', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), 'A=1\nA=2\n')
  for (const format of ['helm', 'k8s-secret', 'json']) {
    const r = runCli(['encode', '--format', format], { cwd: dir })
    assert.equal(r.status, 1)
    assert.match(r.stderr, /^\.env:2: error: A is already defined on line 1/)
  }
  writeFileSync(join(dir, '.env'), 'A=x#y\n')
  const strict = runCli(['encode', '--format', 'helm', '--strict'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /^\.env:1: error: the value of A has a # with no space before it/)
  assert.match(strict.stderr, /\(--strict made 1 warning an error\)\n$/)
  assert.deepEqual(readdirSync(dir), ['.env'])
}))

test('a Secret key or a Secret larger than Kubernetes allows is an error for k8s-secret only', () => withTempDir((dir) => {
  const name = 'K'.repeat(250)
  writeFileSync(join(dir, '.env'), `${name}=v\n`)
  const r = runCli(['encode', '--format', 'k8s-secret'], { cwd: dir })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /^\.env:1: error: SECRET_K+ is longer than the 253 characters Kubernetes allows/)
  assert.equal(existsSync(join(dir, 'secret.yaml')), false)
  assert.equal(runCli(['encode', '--format', 'helm'], { cwd: dir }).status, 0)
  // 800 KB of value is over 1 MiB of base64, more than one Secret may hold.
  writeFileSync(join(dir, '.env'), `BIG=${'x'.repeat(800_000)}\n`)
  const big = runCli(['encode', '--format', 'k8s-secret', '-o', 'big.yaml'], { cwd: dir })
  assert.equal(big.status, 1)
  assert.match(big.stderr, /^\.env: error: the Secret would hold 1066668 bytes of data, more than the 1 MiB Kubernetes allows/)
  assert.equal(existsSync(join(dir, 'big.yaml')), false)
}))

test('values never appear on stderr, whatever the format and the warnings', async () => withTempDirAsync(async (dir) => {
  const marked = [
    'A=MARK1#MARK2', 'B="MARK3" MARK4', "C='MARK5", 'D="MARK6\\tMARK7"', 'SECRET_E=MARK8', 'F.G=MARK9', 'junk MARK10 line',
  ].join('\n') + '\n'
  writeFileSync(join(dir, '.env'), marked)
  for (const format of ['env', 'helm', 'helm-legacy', 'k8s-secret', 'json']) {
    // In-process: what stderr says is run()'s; the bin's own stderr is in the tests above.
    const r = await runInProcess(['encode', '--format', format, '--stdout'], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /warning/)
    assert.doesNotMatch(r.stderr, /MARK/)
    assert.doesNotMatch(r.stdout, /MARK/, 'the document holds base64 only')
  }
}))

test('--help lists --format with its choices, --name and --namespace', () => {
  const r = runCli(['encode', '--help'])
  assert.equal(r.status, 0)
  r.stdout = r.stdout.replace(/\s+/g, ' ')
  assert.match(r.stdout, /--format <format>/)
  assert.match(r.stdout, /choices: "env", "helm", "helm-legacy", "k8s-secret", "json"/)
  assert.match(r.stdout, /--name <name>/)
  assert.match(r.stdout, /--namespace <namespace>/)
})

test('the yaml library is loaded for the YAML formats only', () => withTempDir((dir) => {
  writeFileSync(join(dir, '.env'), SAMPLE)
  assert.equal(loadsYaml(dir, ['encode', '.env', '-q']), false)
  assert.equal(loadsYaml(dir, ['encode', '.env', '--format', 'json', '-q']), false)
  assert.equal(loadsYaml(dir, ['encode', '.env', '--format', 'helm', '-q']), true)
  assert.equal(loadsYaml(dir, ['encode', '.env', '--format', 'k8s-secret', '-q']), true)
}))
