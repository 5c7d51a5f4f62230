// The layers of src/ import downward only, and no module imports itself through others:
// cli (argv) -> commands (I/O, exit codes) -> io and core; core is pure; errors.ts is shared.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { ROOT } from './helpers.js'

const SRC = join(ROOT, 'src')

/** Every module of src/ (as `core/scan.ts`) and the modules of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(SRC, file), 'utf8')
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)|(?:^|\n)import\s+'(\.[^']+)'/g)]
      .map((m) => (m[1] ?? m[2] ?? m[3]) as string)
      .map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'))
    graph.set(file, targets)
  }
  return graph
}

const layer = (module: string): string => (module.includes('/') ? module.slice(0, module.indexOf('/')) : module)

/** What each layer may import, besides itself. */
const ALLOWED: Record<string, string[]> = {
  'errors.ts': [],
  'index.ts': ['core'],
  'core': [],
  'io': ['errors.ts'],
  'commands': ['core', 'io', 'errors.ts'],
  'cli': ['commands', 'core', 'io', 'errors.ts'],
}

test('each layer imports only the layers below it', () => {
  const graph = importGraph()
  assert.ok(graph.size > 20)
  const wrong: string[] = []
  for (const [from, targets] of graph) {
    for (const to of targets) {
      assert.ok(graph.has(to), `${from} imports ${to}, which does not exist`)
      if (layer(to) !== layer(from) && !(ALLOWED[layer(from)] ?? []).includes(layer(to))) wrong.push(`${from} -> ${to}`)
    }
  }
  assert.deepEqual(wrong, [])
})

test('no module imports itself through others', () => {
  const graph = importGraph()
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (module: string, path: string[]): void => {
    if (state.get(module) === 'done') return
    if (state.get(module) === 'open') {
      cycles.push([...path.slice(path.indexOf(module)), module].join(' -> '))
      return
    }
    state.set(module, 'open')
    for (const to of graph.get(module) ?? []) visit(to, [...path, module])
    state.set(module, 'done')
  }
  for (const module of graph.keys()) visit(module, [])
  assert.deepEqual(cycles, [])
})
