import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { publint } from 'publint'
import { longTest, ROOT, withTempDir } from './helpers.js'

const npm = (args: string[], cwd: string) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' })
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

test('publint finds nothing to report on the package', async () => {
  const { messages } = await publint({ pkgDir: ROOT, strict: true })
  assert.deepEqual(messages.map((m) => `${m.type} ${m.code} ${m.path.join('.')}`), [])
})

test('package.json has no script that npm runs when the package is installed as a dependency', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  // npm 11 lists preinstall, install, postinstall and (for a tarball, git or folder) prepare as
  // install scripts to approve; postprepare runs only in the clone (npm install, npm ci), prepack
  // only for npm pack and npm publish.
  for (const name of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(scripts[name], undefined, name)
  assert.equal(scripts.postprepare, 'npm run build')
  assert.equal(scripts.prepack, 'npm run build')
})

test('the packed package holds only what runs, installs with no warning, and npx kestra-secrets works from it', longTest, () => withTempDir((dir) => {
  // The build is fresh (npm test builds first): pack without running prepare again.
  const [info] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as
    Array<{ filename: string; files: Array<{ path: string }> }>
  assert.ok(info)
  const files = info.files.map((f) => f.path)
  for (const f of files) {
    // The bin runs the bundle; the library is index + the pure core. tsc's cli/, commands/ and io/
    // output is for the tests only.
    assert.match(f, /^(?:bin\/|dist\/cli\.cjs$|dist\/index\.(?:js|d\.ts)$|dist\/core\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/, `${f} should not ship`)
  }
  for (const needed of ['bin/kestra-secrets.js', 'bin/package.json', 'dist/cli.cjs', 'dist/core/scan.js', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']) {
    assert.ok(files.includes(needed), `${needed} ships`)
  }

  const project = join(dir, 'project')
  spawnSync('mkdir', [project])
  writeFileSync(join(project, 'package.json'), '{"private":true}\n')
  // At npm's default log level, which shows warnings: there must be none (npm 11 warns about
  // install scripts that no allowScripts entry covers).
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', join(dir, info.filename)], { cwd: project, encoding: 'utf8' })
  assert.equal(install.status, 0, install.stderr)
  assert.equal(install.stderr, '', 'npm install prints no warning')
  const installed = join(project, 'node_modules', 'kestra-secrets')
  const tree = (): string[] => readdirSync(installed, { recursive: true, encoding: 'utf8' }).sort()
  const before = tree()
  writeFileSync(join(project, '.env'), 'TOKEN="s3cret value" # for flows\n')
  const r = spawnSync('npx', ['--no-install', 'kestra-secrets', 'encode', '.env'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(join(project, '.env_encoded'), 'utf8'),
    `# for flows\nSECRET_TOKEN=${Buffer.from('s3cret value').toString('base64')}\n`)
  assert.equal(statSync(join(project, '.env_encoded')).mode & 0o777, 0o600)
  const back = spawnSync('npx', ['--no-install', 'kestra-secrets', 'decode', '.env_encoded'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(back.status, 0, back.stderr)
  assert.match(back.stdout, /^# for flows\nTOKEN=/)
  const check = spawnSync('npx', ['--no-install', 'kestra-secrets', 'check', '.env_encoded', '--against', '.env'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(check.status, 0, check.stderr)
  // Nothing is ever written into the installed package (Node's compile cache lives in its own folder).
  assert.deepEqual(tree(), before)

  // The library entry point resolves with its types from the installed package.
  const lib = spawnSync(process.execPath, ['--input-type=module', '-e',
    "import { encodeEnv } from 'kestra-secrets'; process.stdout.write(encodeEnv('A=1\\n').text)"], { cwd: project, encoding: 'utf8' })
  assert.equal(lib.stdout, 'SECRET_A=MQ==\n', lib.stderr)
}))
