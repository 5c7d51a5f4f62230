#!/usr/bin/env node
'use strict'
// Node's own compile cache (Node 22.1 and later), in Node's cache folder: NODE_COMPILE_CACHE and
// NODE_DISABLE_COMPILE_CACHE apply. Nothing is written into the installed package.
require('node:module').enableCompileCache?.()
require('../dist/cli.cjs')
