#!/usr/bin/env node
// The installed command: it only loads the bundled CLI (scripts/bundle.js builds dist/cli.cjs).
require('../dist/cli.cjs')
