#!/usr/bin/env node
'use strict'
// Node's own compile cache (Node 22.1 and later), in Node's folder for it; NODE_COMPILE_CACHE and
// NODE_DISABLE_COMPILE_CACHE apply. Nothing is written into the installed package.
const { enableCompileCache } = require('node:module')
const env = process.env
if (enableCompileCache !== undefined && env.NODE_COMPILE_CACHE === undefined && env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  const dir = require('node:path').join(require('node:os').tmpdir(), 'node-compile-cache')
  if (isPrivate(dir)) enableCompileCache(dir)
}
require('../dist/cli.cjs')

// Node trusts that folder: it runs a cached file of the right length and CRC-32 as the bundle's
// code, and waits for ever on a named pipe there. So it is used only when this user alone can
// write it and the folder of this Node version, and that folder holds plain files only.
function isPrivate(dir) {
  const { lstatSync, readdirSync } = require('node:fs')
  const own = (st) => st.isDirectory() && (process.getuid === undefined || (st.uid === process.getuid() && (st.mode & 0o022) === 0))
  try {
    if (!own(lstatSync(dir))) return false
    for (const version of readdirSync(dir)) {
      if (!version.startsWith(`${process.version}-${process.arch}-`)) continue
      if (!own(lstatSync(`${dir}/${version}`))) return false
      if (!readdirSync(`${dir}/${version}`, { withFileTypes: true }).every((f) => f.isFile())) return false
    }
    return true
  } catch (e) {
    return e.code === 'ENOENT' // Node makes it, for this user
  }
}
