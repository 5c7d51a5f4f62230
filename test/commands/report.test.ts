import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Diagnostic, DiagnosticCode } from '../../src/core/diagnostics.js'
import { MAX_SHOWN_PER_CODE, Reporter, type Context, type ReportOptions } from '../../src/commands/report.js'

const plain = { error: (s: string) => s, warning: (s: string) => s, dim: (s: string) => s, ok: (s: string) => s }

function reporter(options: ReportOptions): { r: Reporter; printed: () => string[] } {
  let out = ''
  const ctx: Context = { stdout: { write: () => true }, stderr: { write: (s: string) => { out += s } }, paint: plain, env: {} }
  return { r: new Reporter(ctx, options), printed: () => { const lines = out.split('\n').slice(0, -1); out = ''; return lines } }
}

function findings(code: DiagnosticCode, severity: Diagnostic['severity'], count: number): Diagnostic[] {
  return Array.from({ length: count }, (_, i) => ({ code, severity, line: i + 1, key: `K${i}`, message: `m${i}` }))
}

test('print shows the first 20 findings of each code in order, then how many more of each', () => {
  const { r, printed } = reporter({ hints: { duplicate: ': hint' } })
  r.add('f', [...findings('duplicate', 'warning', 25), ...findings('bare-name', 'error', 3), ...findings('duplicate', 'warning', 2)])
  r.print()
  const lines = printed()
  assert.equal(lines.length, MAX_SHOWN_PER_CODE + 3 + 1)
  assert.deepEqual(lines.slice(0, 2), ['f:1: warning: m0: hint', 'f:2: warning: m1: hint'])
  assert.equal(lines[MAX_SHOWN_PER_CODE], 'f:1: error: m0')
  assert.equal(lines.at(-1), '... and 7 more like the above (duplicate)')
  assert.deepEqual([r.count('warning'), r.count('error'), r.failed], [27, 3, true])
  assert.deepEqual(r.all, [], 'without keepAll, nothing is kept beyond what is printed')
  // A later print counts its own findings only.
  r.add('g', findings('duplicate', 'warning', 1))
  r.print()
  assert.deepEqual(printed(), ['g:1: warning: m0: hint'])
  r.print()
  assert.deepEqual(printed(), [])
})

test('keepAll keeps every finding, judged and with its hint; quiet prints and counts only errors; strict promotes', () => {
  const { r, printed } = reporter({ keepAll: true, quiet: true, strict: true, hints: { 'bare-name': (d) => ` (${d.severity})` } })
  r.add('f', [...findings('bare-name', 'warning', 30), ...findings('duplicate', 'note', 40)])
  assert.equal(r.all.length, 70)
  assert.deepEqual(r.all[29], { file: 'f', line: 30, key: 'K29', code: 'bare-name', severity: 'error', message: 'm29 (error)' })
  assert.equal(r.all[69]?.severity, 'note')
  assert.deepEqual([r.promoted, r.count('error'), r.count('note')], [30, 30, 40])
  r.print()
  const lines = printed()
  assert.equal(lines.length, MAX_SHOWN_PER_CODE + 1, 'notes are not printed, nor counted, under quiet')
  assert.equal(lines.at(-1), '... and 10 more like the above (bare-name)')
})
