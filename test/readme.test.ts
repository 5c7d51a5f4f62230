import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { commands, globalOptions, optionsTable, synopsis } from '../src/cli/options.js'
import { encodeEnv } from '../src/core/encode.js'
import { ROOT, kestraDecode, runCli, withTempDir } from './helpers.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

test('each command\'s section of the README has the option table its data renders (npm run readme)', () => {
  for (const c of commands) {
    const start = README.indexOf(`### \`${synopsis(c)}\``)
    assert.notEqual(start, -1, `a section for ${c.name}`)
    const end = README.indexOf('\n### ', start + 1)
    const section = README.slice(start, end === -1 ? undefined : end)
    const table = new RegExp(`<!-- options: ${c.name} -->\\n([\\s\\S]*?)<!-- /options -->`).exec(section)
    assert.equal(table?.[1], optionsTable(c), `the table in the section of ${c.name}`)
  }
})

test('each command\'s --help lists every flag of its README table, and nothing else', () => {
  for (const c of commands) {
    const r = runCli([c.name, '--help'])
    assert.equal(r.status, 0)
    const inHelp = [...r.stdout.matchAll(/^ {2}(-\S.*?)(?: {2,}|$)/gm)].map((m) => (m[1] as string).trim()).sort()
    assert.deepEqual(inHelp, [...c.options, ...globalOptions].map((o) => o.flags).sort(), c.name)
  }
})

test('the README states the test command that .ci/run runs', () => {
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8')
  // Commands of the Development block, however their comments are aligned.
  assert.match(README, /^npm install +# installs and builds/m)
  assert.match(README, /^npm test +# /m)
  assert.match(ci, /^npm ci$/m)
  assert.match(ci, /^npm test$/m)
})

test('the first example of the README is examples/.env and gives the output it shows', () => withTempDir((dir) => {
  const block = /```console\n([\s\S]*?)```/.exec(README)?.[1] ?? ''
  const input = /\$ cat examples\/\.env\n([\s\S]*?)\n\$ /.exec(block)?.[1]
  const output = /\$ cat examples\/\.env_encoded\n([\s\S]*)$/.exec(block)?.[1]
  const summary = /\$ kestra-secrets encode examples\/\.env\n(.*)\n/.exec(block)?.[1]
  assert.ok(input, 'the first console block shows `cat examples/.env`')
  assert.ok(output, 'and `cat examples/.env_encoded`')
  assert.ok(summary, 'and the summary of `kestra-secrets encode examples/.env`')
  assert.equal(input, readFileSync(join(ROOT, 'examples', '.env'), 'utf8'), 'the README shows examples/.env as it is')
  mkdirSync(join(dir, 'examples'))
  writeFileSync(join(dir, 'examples', '.env'), input)
  const r = runCli(['encode', 'examples/.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, `${summary}\n`)
  assert.equal(readFileSync(join(dir, 'examples', '.env_encoded'), 'utf8'), output)
}))

test('examples/.env encodes to exactly the values dotenv reads from it', () => withTempDir((dir) => {
  const src = readFileSync(join(ROOT, 'examples', '.env'), 'utf8')
  mkdirSync(join(dir, 'deploy'))
  const r = runCli(['encode', join(ROOT, 'examples', '.env'), '-o', join(dir, 'deploy', '.env_encoded')])
  assert.equal(r.status, 0, r.stderr)
  const written = dotenv.parse(readFileSync(join(dir, 'deploy', '.env_encoded'), 'utf8'))
  const expected = dotenv.parse(src)
  assert.ok(Object.keys(expected).length >= 5)
  for (const [k, v] of Object.entries(expected)) assert.equal(kestraDecode(written[`SECRET_${k}`] ?? 'missing'), v)
}))

test('the library example of the README is what encodeEnv returns', () => {
  const call = /encodeEnv\('(.*)'\)/.exec(README)
  const text = /result\.text +\/\/ '(.*)'/.exec(README)
  assert.ok(call?.[1] && text?.[1])
  const unescape = (s: string): string => JSON.parse(`"${s.replace(/"/g, '\\"')}"`) as string
  const result = encodeEnv(unescape(call[1].replace(/\\"/g, '"')))
  assert.equal(result.text, unescape(text[1]))
  assert.match(README, new RegExp(`variable: '${result.entries[0]?.variable}', encoded: '${result.entries[0]?.encoded}'`))
})
