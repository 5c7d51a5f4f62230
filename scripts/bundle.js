// Bundles the CLI into one CommonJS file, dist/cli.cjs, which bin/kestra-secrets.js loads: one
// file needs neither module resolution nor the ES module loader at start-up, and V8 compiles a
// function only when it first runs, so the code of the commands that do not run costs little.
// commander, which parses every command line, is bundled in, so that it costs no module resolution
// of its own (see lazy-child-process.cjs for the one module it loads that we keep away); chalk and
// yaml stay packages of their own, loaded only when needed (colour, YAML).
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

await build({
  stdin: {
    contents: "import { main } from './src/cli/main.ts'\nvoid main(process.argv.slice(2))\n",
    resolveDir: new URL('..', import.meta.url).pathname,
    sourcefile: 'cli-entry.ts',
    loader: 'ts',
  },
  outfile: 'dist/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['chalk', 'yaml'],
  alias: { 'node:child_process': './scripts/lazy-child-process.cjs' },
  minifyWhitespace: true,
  define: { __KESTRA_SECRETS_VERSION__: JSON.stringify(version) },
  // program.ts finds package.json through import.meta.url only when the version is not inlined.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
})
