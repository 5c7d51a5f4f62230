// Signals while a file is written (issue 15): every signal whose default action would end the
// process (SIGHUP, SIGQUIT, SIGUSR2, SIGALRM, ... not only SIGINT and SIGTERM) lets the write end,
// so that the output is the old file or the new one, whole, leaves no temporary file, and ends the
// process with 128 + the signal's number. A hook slows the write and says when it starts, so the
// signal lands in the middle of it every time.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, inject, longTest, runCli, withTempDirAsync } from '../helpers.js'
import { TERMINATING } from '../../src/io/signals.js'

const OLD = 'OLD CONTENT\n'

/** This system's terminating signals, with their numbers. */
const SIGNALS = TERMINATING.flatMap((name) => {
  const n = (constants.signals as Record<string, number | undefined>)[name]
  return n === undefined ? [] : [[name as NodeJS.Signals, n] as const]
})

/** Sends `signal` once the temporary file is being written; returns how the process ended. */
async function signalDuringWrite(dir: string, args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [...inject('slow-write.mjs'), BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => {
    const had = stderr.includes('WRITING\n')
    stderr += c.toString()
    if (!had && stderr.includes('WRITING\n')) child.kill(signal)
  })
  return new Promise((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, stderr })))
}

async function eachSignal(signals: ReadonlyArray<readonly [NodeJS.Signals, number]>, command: 'encode' | 'decode'): Promise<void> {
  await withTempDirAsync(async (dir) => {
    const input = command === 'encode' ? '.env' : '.env_encoded'
    const lines: string[] = []
    for (let i = 0; i < 12_000; i++) {
      lines.push(command === 'encode' ? `KEY_${i}=value number ${i}` : `SECRET_KEY_${i}=${Buffer.from(`value number ${i}`).toString('base64')}`)
    }
    writeFileSync(join(dir, input), lines.join('\n') + '\n')
    const fresh = runCli([command, input, '-o', '-', '-q'], { cwd: dir }).stdout
    assert.ok(fresh.length > 256 * 1024, 'long enough to be written in many pieces')
    for (const [name, number] of signals) {
      writeFileSync(join(dir, 'out'), OLD)
      const r = await signalDuringWrite(dir, [command, input, '-o', 'out', '-q'], name)
      assert.ok(r.stderr.includes('WRITING\n'), `${name}: the write had begun`)
      assert.deepEqual([r.code, r.signal], [128 + number, null], `${command}, ${name}: exit ${128 + number}`)
      const out = readFileSync(join(dir, 'out'), 'utf8')
      assert.ok(out === OLD || out === fresh, `${command}, ${name}: the output is the old one or the new one, whole`)
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], `${command}, ${name}: no temporary file left`)
    }
  })
}

test('SIGHUP during a write: no temporary file, exit 129, the output whole', async () => {
  await eachSignal(SIGNALS.filter(([name]) => name === 'SIGHUP'), 'encode')
})

test('every terminating signal during a write: no temporary file, exit 128 + n, the output whole', longTest, async () => {
  assert.ok(SIGNALS.length >= 10, SIGNALS.map(([n]) => n).join(' '))
  await eachSignal(SIGNALS, 'encode')
})

test('decode -o: every terminating signal during a write, the same', longTest, async () => {
  await eachSignal(SIGNALS, 'decode')
})
