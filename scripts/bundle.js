// Bundles the CLI into one CommonJS file, dist/cli.cjs, that bin/kestra-secrets.js requires.
// Start-up is what `npx kestra-secrets` costs every time, and most of it is loading code: one
// CommonJS file needs neither module resolution nor the ES module loader, and the version is
// inlined instead of read from package.json. commander, chalk and yaml stay outside: each is
// loaded only on the path that needs it (unusual command lines, colour, YAML formats).
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
  external: ['commander', 'chalk', 'yaml'],
  define: { __KESTRA_SECRETS_VERSION__: JSON.stringify(version) },
  // program.ts finds package.json through import.meta.url only when the version is not inlined.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
})
