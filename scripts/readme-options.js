// Writes the README's option tables from the command line's data (src/cli/options.ts, built into
// dist/cli/options.js): `npm run readme` after changing an option. test/readme.test.ts fails when
// they differ.
import { readFileSync, writeFileSync } from 'node:fs'
import { commands, optionsTable } from '../dist/cli/options.js'

let readme = readFileSync('README.md', 'utf8')
for (const spec of commands) {
  const marker = new RegExp(`(<!-- options: ${spec.name} -->\\n)[\\s\\S]*?(<!-- /options -->)`)
  if (!marker.test(readme)) throw new Error(`README.md has no <!-- options: ${spec.name} --> table`)
  readme = readme.replace(marker, (_, open, close) => `${open}${optionsTable(spec)}${close}`)
}
writeFileSync('README.md', readme)
