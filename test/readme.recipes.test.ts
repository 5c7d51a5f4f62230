// Every recipe of the README runs: each code block marked `<!-- recipe: NAME FILE -->` is saved as
// FILE in a fresh work folder, or, for `sh`, run there by bash with `set -euo pipefail` (the steps
// of a CI file are run as the CI would run them). `npx --yes kestra-secrets@<version>` becomes the
// built bin. Tools that need a daemon, a cluster or the network (docker, helm) are stubs on PATH
// that log their arguments, the SECRET_ variables they were given and the files they saw; kubectl
// and jq are the real ones when installed.

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import YAML from 'yaml'
import { BIN, ROOT, kestraDecode, longTest, withTempDirAsync } from './helpers.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
const NODE = process.execPath

interface Block { recipe: string; as: string; text: string }

const BLOCKS: Block[] = [...README.matchAll(/<!-- recipe: (\S+) (\S+) -->\n```\w*\n([\s\S]*?)```/g)]
  .map((m) => ({ recipe: m[1] as string, as: m[2] as string, text: m[3] as string }))

/** The blocks of one recipe, by what they are saved as (`sh` for the shell lines). */
function recipe(name: string): Record<string, string> {
  const blocks = BLOCKS.filter((b) => b.recipe === name)
  assert.ok(blocks.length > 0, `the README has the recipe ${name}`)
  return Object.fromEntries(blocks.map((b) => [b.as, b.text]))
}

/** The `.env` of the README's examples (the one the Formats section encodes). */
const DOTENV = /\$ cat \.env\n([\s\S]*?)\n```/.exec(README)?.[1] + '\n'
const VALUES = dotenv.parse(DOTENV)
const SECRETS = Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [`SECRET_${k}`, Buffer.from(v).toString('base64')]))

interface Call { tool: string; argv: string[]; secrets: Record<string, string>; files: string[] }

interface Bench {
  /** The work folder the recipe runs in (the checkout, in CI). */
  dir: string
  /** Outside the work folder: where GitLab would put a file variable. */
  outside: string
  /** A stub in the work folder, for a program a user keeps beside the .env (`./kestra`). */
  stub(name: string): void
  /** What the stubs were called with, in order. */
  calls(): Call[]
  /** Runs shell lines in the work folder. */
  sh(script: string, env?: NodeJS.ProcessEnv, shell?: string[]): { status: number | null; stdout: string; stderr: string }
}

const which = (tool: string): string | undefined => {
  const r = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}
const KUBECTL = which('kubectl')
const JQ = which('jq')
/** `docker compose config` reads a compose file offline, when the compose plugin is installed. */
const COMPOSE = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0

/** Runs `fn` with a fresh work folder and stubs, removed when it (and its promise) ends. */
function bench<T>(fn: (b: Bench) => T | Promise<T>): Promise<T> {
  return withTempDirAsync(async (root) => {
    const dir = join(root, 'work')
    const stubs = join(root, 'stubs')
    const outside = join(root, 'outside')
    for (const d of [dir, stubs, outside]) mkdirSync(d)
    const log = join(root, 'calls.jsonl')
    const stub = (name: string, at = join(stubs, name)): void => {
      writeFileSync(at, `#!${NODE}\n` + [
        "const fs = require('fs')",
        'const secrets = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith(\'SECRET_\')))',
        `fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(name)}, argv: process.argv.slice(2), secrets, files: fs.readdirSync('.').sort() }) + '\\n')`,
      ].join('\n') + '\n')
      chmodSync(at, 0o755)
    }
    for (const tool of ['docker', 'helm']) stub(tool)
    writeFileSync(join(stubs, 'kestra-secrets'), `#!/bin/sh\nexec ${JSON.stringify(NODE)} ${JSON.stringify(BIN)} "$@"\n`)
    chmodSync(join(stubs, 'kestra-secrets'), 0o755)
    if (KUBECTL !== undefined) {
      // kubectl apply maps the manifest's kind to a resource through the API server, even with
      // --dry-run=client; annotate --local reads the file with the same reader, offline.
      writeFileSync(join(stubs, 'kubectl'), `#!/bin/bash\nif [[ $1 == apply ]]; then shift; exec ${KUBECTL} annotate --local -o json "$@" kestra-secrets/recipe=checked; fi\nexec ${KUBECTL} "$@"\n`)
      chmodSync(join(stubs, 'kubectl'), 0o755)
    } else {
      stub('kubectl')
    }
    return await fn({
      dir,
      outside,
      stub: (name) => stub(name, join(dir, name)),
      calls: () => existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call) : [],
      sh: (script, env = {}, shell = ['bash', '--noprofile', '--norc', '-euo', 'pipefail', '-c']) => {
        const text = script.replaceAll(`npx --yes kestra-secrets@${VERSION}`, 'kestra-secrets')
        assert.doesNotMatch(text, /\bnpx\b/, 'every npx of a recipe is the pinned one')
        const base: NodeJS.ProcessEnv = {}
        for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SECRET_')) base[k] = v
        const r = spawnSync(shell[0] as string, [...shell.slice(1), text], {
          cwd: dir, encoding: 'utf8', env: { ...base, NO_COLOR: '1', KUBECONFIG: '/dev/null', PATH: `${stubs}:${process.env.PATH}`, ...env },
        })
        return { status: r.status, stdout: r.stdout, stderr: r.stderr }
      },
    })
  })
}

const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('.git/') && f !== '.git').sort()
const decodeAll = (text: string): Record<string, string> =>
  Object.fromEntries(Object.entries(dotenv.parse(text)).map(([k, v]) => [k.replace(/^SECRET_/, ''), kestraDecode(v)]))

test('the README\'s recipes: the names below run them all, and every shell block is one or is set aside', () => {
  const names = new Set(BLOCKS.map((b) => b.recipe))
  assert.deepEqual([...names].sort(), [...RUNNERS].sort())
  // Shell blocks that are not run here, and why.
  const aside = new Map([
    ['git clone ', 'needs the network'],
    ['npm pack ', 'test/package.test.ts packs the package and installs the tarball (long)'],
    ['npm install   # installs and builds', 'the Development section: npm test is what runs them'],
  ])
  for (const m of README.matchAll(/(<!-- recipe: \S+ \S+ -->\n)?```(sh|yaml|yml|bash)\n([\s\S]*?)```/g)) {
    if (m[1] !== undefined) continue
    const first = (m[3] as string).split('\n')[0] as string
    assert.ok([...aside.keys()].some((k) => first.startsWith(k)), `a ${m[2]} block of the README that no test runs: ${first}`)
  }
  assert.ok(Object.keys(VALUES).length >= 2)
  // The pinned version is this package's.
  for (const b of BLOCKS) {
    for (const m of b.text.matchAll(/npx --yes kestra-secrets(@\S*)?/g)) assert.equal(m[1], `@${VERSION}`, `${b.recipe}: ${m[0]}`)
  }
})

const RUNNERS = new Set<string>()
/**
 * Recipes that only show the CLI's own arguments, or repeat another recipe with a variant, are
 * long tests, so that `npm test` spends its seconds on the deployments.
 */
const LONG = new Set(['usage', 'decode', 'helm-legacy', 'docker-run', 'standalone'])
function recipeTest(name: string, title: string, fn: (t: TestContext) => void | Promise<void>): void {
  RUNNERS.add(name)
  test(`recipe ${name}: ${title}`, LONG.has(name) ? longTest : {}, fn)
}

recipeTest('usage', 'each line writes or prints the encoded file', () => bench((b) => {
  writeFileSync(join(b.dir, '.env'), DOTENV)
  mkdirSync(join(b.dir, 'deploy'))
  const r = b.sh(recipe('usage').sh as string)
  assert.equal(r.status, 0, r.stderr)
  const written = readFileSync(join(b.dir, '.env_encoded'), 'utf8')
  assert.deepEqual(decodeAll(written), VALUES)
  assert.equal(readFileSync(join(b.dir, 'deploy', '.env_encoded'), 'utf8'), written)
  assert.equal(r.stdout, written + written, 'the two lines that print')
}))

recipeTest('decode', 'each line gives the plain .env back', () => bench((b) => {
  writeFileSync(join(b.dir, '.env_encoded'), Object.entries(SECRETS).map(([k, v]) => `${k}=${v}\n`).join(''))
  const r = b.sh(recipe('decode').sh as string)
  assert.equal(r.status, 0, r.stderr)
  const plain = readFileSync(join(b.dir, '.env'), 'utf8')
  assert.deepEqual(dotenv.parse(plain), VALUES)
  assert.equal(r.stdout, plain + plain)
}))

for (const format of ['helm', 'helm-legacy'] as const) {
  recipeTest(format, 'helm gets the values file written by encode --format', () => bench((b) => {
    writeFileSync(join(b.dir, '.env'), DOTENV)
    writeFileSync(join(b.dir, 'values.yaml'), '{}\n')
    const r = b.sh(`kestra-secrets encode .env --format ${format} -q\n${recipe(format).sh}`)
    assert.equal(r.status, 0, r.stderr)
    const upgrade = b.calls().find((c) => c.tool === 'helm' && c.argv[0] === 'upgrade')
    assert.deepEqual(upgrade?.argv, ['upgrade', '--install', 'kestra', 'kestra/kestra', '-f', 'values.yaml', '-f', 'values.secrets.yaml'])
    assert.ok(upgrade.files.includes('values.secrets.yaml'))
    const values = YAML.parse(readFileSync(join(b.dir, 'values.secrets.yaml'), 'utf8')) as Record<string, unknown>
    const list = (format === 'helm' ? (values.common as { extraEnv: unknown }).extraEnv : values.extraEnv) as Array<{ name: string; value: string }>
    assert.deepEqual(Object.fromEntries(list.map((e) => [e.name, e.value])), SECRETS)
  }))
}

recipeTest('k8s-secret', 'kubectl reads the Secret manifest, helm gets the values', (t) => bench((b) => {
  writeFileSync(join(b.dir, '.env'), DOTENV)
  writeFileSync(join(b.dir, 'values.yaml'), '{}\n')
  const r = b.sh(`kestra-secrets encode .env --format k8s-secret --namespace kestra -q\n${recipe('k8s-secret').sh}`)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(b.calls().find((c) => c.tool === 'helm')?.argv, ['upgrade', '--install', 'kestra', 'kestra/kestra', '--namespace', 'kestra', '-f', 'values.yaml'])
  return t.test('kubectl reads it', { skip: KUBECTL === undefined && 'kubectl is not installed' }, () => {
    const secret = JSON.parse(r.stdout) as { kind: string; metadata: { name: string; namespace: string }; data: Record<string, string> }
    assert.equal(secret.kind, 'Secret')
    assert.deepEqual([secret.metadata.name, secret.metadata.namespace], ['kestra-secrets', 'kestra'])
    // Kubernetes removes the outer base64 when it sets the variables: Kestra gets the inner one.
    assert.deepEqual(Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, kestraDecode(v)])), SECRETS)
  })
}))

recipeTest('json', 'jq reads a value', (t) => bench((b) => {
  if (JQ === undefined) {
    t.skip('jq is not installed')
    return
  }
  writeFileSync(join(b.dir, '.env'), DOTENV)
  const r = b.sh(`kestra-secrets encode .env --format json -q\n${recipe('json').sh}`)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, VALUES.POSTGRES_USER)
  assert.match(recipe('json').sh as string, new RegExp(`# ${VALUES.POSTGRES_USER}\\n`))
}))

recipeTest('run', 'each command gets the secrets of its .env, and nothing is written', () => bench((b) => {
  writeFileSync(join(b.dir, '.env'), DOTENV)
  b.stub('kestra')
  b.stub('deploy.sh')
  mkdirSync(join(b.dir, 'deploy'))
  writeFileSync(join(b.dir, 'deploy', 'prod.env'), 'PROD_TOKEN=t0ken\n')
  const before = files(b.dir)
  const r = b.sh(recipe('run').sh as string, { DOTENV: 'FROM_STDIN=yes' })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(b.calls().map((c) => [c.tool, c.argv, c.secrets]), [
    ['kestra', ['server', 'local'], SECRETS],
    ['docker', ['compose', 'up'], { SECRET_PROD_TOKEN: Buffer.from('t0ken').toString('base64') }],
    ['deploy.sh', [], { SECRET_FROM_STDIN: Buffer.from('yes').toString('base64') }],
  ])
  assert.deepEqual(files(b.dir), before)
}))

recipeTest('standalone', 'Kestra\'s executable gets the secrets', () => bench((b) => {
  writeFileSync(join(b.dir, '.env'), DOTENV)
  b.stub('kestra')
  const r = b.sh(recipe('standalone').sh as string)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(b.calls().map((c) => [c.tool, c.argv, c.secrets]), [['kestra', ['server', 'local'], SECRETS]])
}))

for (const name of ['docker-run', 'docker-run-all']) {
  recipeTest(name, 'docker gets -e NAME for each secret, with the values in its environment', () => bench((b) => {
    writeFileSync(join(b.dir, '.env'), DOTENV)
    const r = b.sh(recipe(name).sh as string)
    assert.equal(r.status, 0, r.stderr)
    const [call, ...more] = b.calls()
    assert.equal(more.length, 0)
    assert.deepEqual(call?.argv, ['run', '--rm', '-p', '8080:8080', ...Object.keys(SECRETS).sort().flatMap((k) => ['-e', k]),
      'kestra/kestra:latest', 'server', 'local'])
    assert.deepEqual(call.secrets, SECRETS)
  }))
}

recipeTest('compose-env-file', 'compose finds .env_encoded, which holds the secrets', (t) => bench((b) => {
  const { 'compose.yaml': compose, sh } = recipe('compose-env-file')
  writeFileSync(join(b.dir, '.env'), DOTENV)
  writeFileSync(join(b.dir, 'compose.yaml'), compose as string)
  const r = b.sh(sh as string)
  assert.equal(r.status, 0, r.stderr)
  const [call] = b.calls()
  assert.deepEqual(call?.argv, ['compose', 'up', '-d'])
  assert.ok(call.files.includes('.env_encoded'), 'written before compose starts')
  assert.equal((YAML.parse(compose as string) as { services: { kestra: { env_file: string } } }).services.kestra.env_file, '.env_encoded')
  assert.deepEqual(decodeAll(readFileSync(join(b.dir, '.env_encoded'), 'utf8')), VALUES)
  return t.test('docker compose reads the env_file', { skip: !COMPOSE && 'docker compose is not installed' }, () => {
    const config = spawnSync('docker', ['compose', 'config', '--format', 'json'], { cwd: b.dir, encoding: 'utf8' })
    assert.equal(config.status, 0, config.stderr)
    assert.deepEqual((JSON.parse(config.stdout) as { services: { kestra: { environment: unknown } } }).services.kestra.environment, SECRETS)
  })
}))

recipeTest('compose-run', 'compose gets the secrets in its environment, names the ones of the .env, and nothing is written', (t) => bench((b) => {
  const { 'compose.yaml': compose, sh } = recipe('compose-run')
  writeFileSync(join(b.dir, '.env'), DOTENV)
  writeFileSync(join(b.dir, 'compose.yaml'), compose as string)
  const before = files(b.dir)
  const r = b.sh(sh as string)
  assert.equal(r.status, 0, r.stderr)
  const [call] = b.calls()
  assert.deepEqual(call?.argv, ['compose', 'up', '-d'])
  assert.deepEqual(call.secrets, SECRETS)
  const listed = (YAML.parse(compose as string) as { services: { kestra: { environment: string[] } } }).services.kestra.environment
  assert.deepEqual([...listed].sort(), Object.keys(SECRETS).sort())
  assert.deepEqual(files(b.dir), before)
  return t.test('docker compose takes the values of the names from its environment', { skip: !COMPOSE && 'docker compose is not installed' }, () => {
    // The real docker, not the stub.
    const config = b.sh(`kestra-secrets run -q -- ${which('docker')} compose config --format json`)
    assert.equal(config.status, 0, config.stderr)
    assert.deepEqual((JSON.parse(config.stdout) as { services: { kestra: { environment: unknown } } }).services.kestra.environment, SECRETS)
  })
}))

/** The checkout of a CI job: a git work tree with the README's .gitignore and a flow using every secret. */
function checkout(b: Bench, gitignore = true): void {
  assert.equal(spawnSync('git', ['init', '-q', b.dir]).status, 0)
  if (gitignore) writeFileSync(join(b.dir, '.gitignore'), recipe('ci')['.gitignore'] as string)
  mkdirSync(join(b.dir, 'flows'))
  writeFileSync(join(b.dir, 'flows', 'deploy.yml'), 'id: deploy\nnamespace: company.team\ntasks:\n' +
    Object.keys(VALUES).map((k, i) => `  - id: t${i}\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ secret('${k}') }}"\n`).join(''))
}

/** The steps of a GitHub Actions block, each run as `shell: bash` runs it. */
function githubSteps(name: string): Array<{ name?: string; run: string; env: Record<string, string> }> {
  const steps = YAML.parse(recipe(name)['steps.yml'] as string) as Array<{ name?: string; shell?: string; run: string; env?: Record<string, string> }>
  for (const s of steps) {
    assert.equal(s.shell, 'bash', `${s.name}: --against <(...) and pipefail need bash`)
    assert.deepEqual(s.env, { DOTENV: '${{ secrets.DOTENV }}' })
  }
  return steps.map((s) => ({ name: s.name, run: s.run, env: s.env ?? {} }))
}
const GITHUB_BASH = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c']

recipeTest('github', 'encode then check, with no plain .env on disk and no empty .env_encoded when a step fails', async () => {
  const steps = githubSteps('github')
  assert.equal(steps.length, 2, 'encode, then check: no step that the test does not run')
  const [encode, check] = steps
  assert.ok(encode && check)
  await bench((b) => {
    checkout(b)
    const ok = b.sh(encode.run, { DOTENV }, GITHUB_BASH)
    assert.equal(ok.status, 0, ok.stderr)
    assert.deepEqual(decodeAll(readFileSync(join(b.dir, '.env_encoded'), 'utf8')), VALUES)
    assert.equal(statSync(join(b.dir, '.env_encoded')).mode & 0o777, 0o600)
    const checked = b.sh(check.run, { DOTENV }, GITHUB_BASH)
    assert.equal(checked.status, 0, checked.stderr)
    assert.match(checked.stderr, /^ready for Kestra: 2 secrets in \.env_encoded checked against \/dev\/fd\/\d+/)
    // A secret changed since the file was encoded: the check fails.
    const stale = b.sh(check.run, { DOTENV: DOTENV.replace('kestra', 'other') }, GITHUB_BASH)
    assert.equal(stale.status, 1)
    assert.match(stale.stderr, /holds a different value/)
    assert.equal(existsSync(join(b.dir, '.env')), false, 'no plain .env on disk')
  })
  await bench((b) => {
    checkout(b)
    // A .env that encode rejects: the step fails and leaves no file behind, not even an empty one.
    const bad = b.sh(encode.run, { DOTENV: 'A=1\nA=2\n' }, GITHUB_BASH)
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /:2: error: A is already defined on line 1/)
    assert.deepEqual(files(b.dir).filter((f) => !f.startsWith('flows')), ['.gitignore'])
  })
})

recipeTest('ci', 'the .gitignore line is what lets encode --strict write into a checkout', () => bench((b) => {
  const [encode] = githubSteps('github')
  checkout(b, false)
  const r = b.sh((encode as { run: string }).run, { DOTENV }, GITHUB_BASH)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /is in a git work tree and not ignored.*add the line \.env_encoded to \.gitignore/)
  assert.equal(existsSync(join(b.dir, '.env_encoded')), false)
  assert.equal((recipe('ci')['.gitignore'] as string).trim(), '.env_encoded')
}))

recipeTest('github-run', 'deploys with the secrets from stdin and writes nothing', () => {
  const [deploy, ...more] = githubSteps('github-run')
  assert.ok(deploy && more.length === 0)
  return bench((b) => {
    checkout(b)
    writeFileSync(join(b.dir, 'compose.yaml'), recipe('compose-run')['compose.yaml'] as string)
    const before = files(b.dir)
    const r = b.sh(deploy.run, { DOTENV }, GITHUB_BASH)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(b.calls().map((c) => [c.argv, c.secrets]), [[['compose', 'up', '-d'], SECRETS]])
    assert.deepEqual(files(b.dir), before)
  })
})

recipeTest('gitlab', 'the job writes .env_encoded from the file variable and keeps it as an artifact', () => bench((b) => {
  const job = (YAML.parse(recipe('gitlab')['.gitlab-ci.yml'] as string) as Record<string, { script: string[]; artifacts: { paths: string[] } }>)['encode-secrets']
  assert.ok(job)
  assert.deepEqual(job.artifacts.paths, ['.env_encoded'])
  checkout(b)
  // GitLab writes a file variable outside the checkout and puts its path in the variable.
  const variable = join(b.outside, 'DOTENV_FILE')
  writeFileSync(variable, DOTENV)
  for (const line of job.script) {
    const r = b.sh(line, { DOTENV_FILE: variable }, GITHUB_BASH)
    assert.equal(r.status, 0, r.stderr)
  }
  assert.deepEqual(decodeAll(readFileSync(join(b.dir, '.env_encoded'), 'utf8')), VALUES)
}))
