#!/usr/bin/env node
// Compiles src/core/plain.wat into src/core/plain-wasm.ts, the WebAssembly module of encode's fast
// path as base64 text (so that both the library and the bundled CLI carry it without reading a
// file). The generated file is committed, so that installing the package needs no WebAssembly
// tools; test/plain.wasm.test.ts fails when it no longer matches plain.wat.
//
//   node scripts/wasm.js          write src/core/plain-wasm.ts
//   node scripts/wasm.js --check  exit 1 if it differs from what plain.wat compiles to
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compileWat, render } from './wasm-compile.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WAT = `${ROOT}src/core/plain.wat`
const OUT = `${ROOT}src/core/plain-wasm.ts`

const text = render(await compileWat(fs.readFileSync(WAT, 'utf8')))
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : ''
  if (current !== text) {
    process.stderr.write('src/core/plain-wasm.ts does not match src/core/plain.wat: run `npm run wasm`\n')
    process.exit(1)
  }
} else {
  fs.writeFileSync(OUT, text)
}
