// Runs the compiled tests (build/test/**/*.test.js) with Node's test runner, two files at a time.
// `--full` runs the full suite: KESTRA_SECRETS_TEST_FULL=1 (see test/helpers.ts).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const full = process.argv.includes('--full')
const files = readdirSync('build/test', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => join('build/test', f))
  .sort()
const env = { ...process.env, ...(full ? { KESTRA_SECRETS_TEST_FULL: '1' } : {}) }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env })
process.exitCode = r.status ?? 1
