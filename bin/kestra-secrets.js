#!/usr/bin/env node
'use strict'
// The installed command: it runs the bundled CLI (dist/cli.cjs, built by scripts/bundle.js).
//
// Compiling that bundle is half of what a run costs beyond Node's own start-up, so it is compiled
// with V8's code cache, which this file keeps beside the bundle: the first run in an installation
// writes it, later runs skip most of the compiling. The cache is used only when it was made from
// exactly these bytes (it holds a copy of them; V8 itself refuses a cache from another Node or
// other V8 flags). Kept in the package's own folder, it is trusted as much as the code beside it.
// Where that folder cannot be written, each run compiles, as without a cache; with
// NODE_DISABLE_COMPILE_CACHE set (as for Node's own cache), the bundle is simply required. The
// cache holds compiled code only, never a value read.
const fs = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli.cjs')

// Code run from a vm.Script cannot call import() on Node 20 without an experimental flag. The
// bundle calls it for packages only (chalk, yaml), through this file's import(), lent under a
// symbol (src/io/builtin.ts); for built-in modules it needs process.getBuiltinModule (20.16+).
if (typeof process.getBuiltinModule !== 'function' || process.env.NODE_DISABLE_COMPILE_CACHE) {
  require(BUNDLE)
} else {
  globalThis[Symbol.for('kestra-secrets.import')] = (name) => import(name)
  runCached()
}

function runCached() {
  const cacheFile = path.join(__dirname, '..', 'dist', `.cli.${process.version}.${process.arch}.cache`)
  const source = fs.readFileSync(BUNDLE)
  let cachedData
  try {
    // The cache file: the length of the source (4 bytes), the source, then V8's data.
    const cache = fs.readFileSync(cacheFile)
    const n = cache.length >= 4 ? cache.readUInt32LE(0) : -1
    if (n === source.length && source.equals(cache.subarray(4, 4 + n))) cachedData = cache.subarray(4 + n)
  } catch {
    // No cache yet, or none readable: compile.
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${source.toString('utf8')}\n})`,
    { filename: BUNDLE, cachedData })
  if (cachedData === undefined || script.cachedDataRejected) {
    // Made at exit, it also holds the functions this run compiled on their first call.
    process.once('exit', () => writeCache(cacheFile, source, script))
  }
  const mod = { exports: {} }
  script.runInThisContext()(mod.exports, require('node:module').createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE))
}

/** Writes the cache whole or not at all; any failure leaves the run as it was. */
function writeCache(cacheFile, source, script) {
  const tmp = `${cacheFile}.${process.pid}.tmp`
  let created = false
  try {
    const data = script.createCachedData()
    const head = Buffer.alloc(4)
    head.writeUInt32LE(source.length, 0)
    const fd = fs.openSync(tmp, 'wx', 0o600)
    created = true
    try {
      fs.writeFileSync(fd, Buffer.concat([head, source, data]))
      // On disk before the rename: after a power cut, the cache is the whole file or none.
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, cacheFile)
  } catch {
    // Only a file this run made is removed: 'wx' refuses one of another run's.
    if (created) try { fs.unlinkSync(tmp) } catch { /* gone already */ }
  }
}
