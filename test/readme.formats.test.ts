// The README's Formats section: one worked example per format, with the helm upgrade and kubectl
// apply lines, and every console transcript in it is what the tool prints and writes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, runCli, withTempDir } from './helpers.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const start = README.indexOf('\n### Formats\n')
// The section runs to the next heading of its level or above.
const end = start + 1 + README.slice(start + 1).search(/\n#{2,3} /)
const SECTION = README.slice(start, end)

test('the Formats section, which the --format option links to, has an example per format', () => {
  assert.notEqual(start, -1, 'a ### Formats section')
  // Wherever the section sits, the option table leads to it: the row of --format links its anchor.
  assert.match(README, /^\| `--format <format>` \|[^\n]*\]\(#formats\)/m)
  for (const format of ['helm', 'helm-legacy', 'k8s-secret', 'json']) {
    assert.match(SECTION, new RegExp(`#### \`${format}\``), format)
    assert.match(SECTION, new RegExp(`\\$ kestra-secrets encode \\.env --format ${format}`), format)
  }
  assert.match(SECTION, /helm upgrade --install kestra kestra\/kestra .*-f values\.secrets\.yaml/)
  assert.match(SECTION, /kubectl apply -f secret\.yaml/)
  assert.match(SECTION, /JSON has no comments/)
})

/**
 * Replays the console blocks in one folder: `$ cat FILE` shows a file (and creates the input, the
 * first time, from what it shows); `$ kestra-secrets ...` shows stderr then stdout.
 */
test('every console transcript of the Formats section is what the tool does', () => withTempDir((dir) => {
  const blocks = [...SECTION.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1] as string)
  assert.ok(blocks.length >= 5)
  let commands = 0
  for (const block of blocks) {
    for (const step of block.split(/^(?=\$ )/m)) {
      const [command = '', ...rest] = step.split('\n')
      const shown = rest.join('\n').replace(/\n+$/, '') + '\n'
      const cat = /^\$ cat (\S+)$/.exec(command)
      const run = /^\$ kestra-secrets (.*)$/.exec(command)
      if (cat) {
        const file = join(dir, cat[1] as string)
        if (!existsSync(file)) writeFileSync(file, shown)
        assert.equal(readFileSync(file, 'utf8'), shown, command)
      } else if (run) {
        const r = runCli((run[1] as string).split(' '), { cwd: dir })
        assert.equal(r.status, 0, r.stderr)
        assert.equal(r.stderr + r.stdout, shown, command)
      } else {
        assert.fail(`a console line the test cannot replay: ${command}`)
      }
      commands++
    }
  }
  assert.ok(commands >= 9)
}))
