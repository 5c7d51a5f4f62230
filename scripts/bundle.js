// Bundles the CLI into two CommonJS files that bin/kestra-secrets.js loads: dist/cli.cjs, with
// everything `encode` needs, and dist/cli-decode-check.cjs, required only by those two commands.
// Start-up is what `npx kestra-secrets` costs every time, and most of it is loading code: one
// CommonJS file needs neither module resolution nor the ES module loader, the version is inlined
// instead of read from package.json, and code that encode never runs is not even parsed.
// commander, chalk and yaml stay outside: each is loaded only on the path that needs it (unusual
// command lines, colour, YAML formats).
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const resolveDir = new URL('..', import.meta.url).pathname
const LATER = './cli-decode-check.cjs'

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['commander', 'chalk', 'yaml'],
  define: { __KESTRA_SECRETS_VERSION__: JSON.stringify(version) },
  // program.ts finds package.json through import.meta.url only when the version is not inlined.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
}

// In the main bundle, main.ts's `import('../commands/decode.js')` and `…/check.js` become a
// require of the second bundle.
const laterCommands = {
  name: 'later-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/commands\/(?:decode|check)\.js$/ }, (args) => ({ path: args.path, namespace: 'later' }))
    b.onLoad({ filter: /.*/, namespace: 'later' }, () => ({ contents: `module.exports = require(${JSON.stringify(LATER)})`, loader: 'js' }))
    b.onResolve({ filter: /^\.\/cli-decode-check\.cjs$/ }, () => ({ path: LATER, external: true }))
  },
}

await build({
  ...common,
  stdin: { contents: "import { main } from './src/cli/main.ts'\nvoid main(process.argv.slice(2))\n", resolveDir, sourcefile: 'cli-entry.ts', loader: 'ts' },
  outfile: 'dist/cli.cjs',
  plugins: [laterCommands],
})

await build({
  ...common,
  stdin: {
    contents: "export { decode } from './src/commands/decode.ts'\nexport { check } from './src/commands/check.ts'\n",
    resolveDir,
    sourcefile: 'cli-decode-check-entry.ts',
    loader: 'ts',
  },
  outfile: 'dist/cli-decode-check.cjs',
})
