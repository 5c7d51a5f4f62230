import { colorLevel, paintFor } from './color.js'
import { EXIT, ExitError, InputError } from '../errors.js'
import { parseArgs } from './program.js'
import { resultSink } from '../io/fd.js'
import { fdSink, isTerminal } from '../io/stderr.js'
import type { Invocation } from '../commands/invocation.js'
import { escapeControls, type Context } from '../commands/report.js'

/** Each command's module, loaded only when that command runs. */
const COMMANDS: Record<string, () => Promise<(inv: Invocation, ctx: Context) => Promise<number>>> = {
  encode: async () => (await import('../commands/encode.js')).encode,
  decode: async () => (await import('../commands/decode.js')).decode,
  check: async () => (await import('../commands/check.js')).check,
  run: async () => (await import('../commands/run.js')).run,
}

const ISSUES = 'https://github.com/kestra-secrets/kestra-secrets/issues'

/**
 * Runs one command line and returns its exit code; never throws. Expected failures (ExitError)
 * print one line; anything else is a bug: its stack is printed (without the error's message,
 * which could quote input) with a request to report it.
 */
export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  try {
    const invocation = parseArgs(argv, { out: (s) => ctx.stdout.write(s), err: (s) => ctx.stderr.write(s) })
    if (invocation === undefined) return EXIT.ok
    if (invocation.color === false) ctx.paint = await paintFor(0)
    const load = COMMANDS[invocation.command]
    if (load === undefined) throw new Error(`command ${invocation.command} has no module`)
    const command = await load()
    return await command(invocation, ctx)
  } catch (e) {
    if (e instanceof InputError) {
      ctx.stderr.write(`${escapeControls(e.place)}: ${ctx.paint.error('error')}: ${escapeControls(e.message)}\n`)
      return e.code
    }
    if (e instanceof ExitError) {
      // A usage error may quote the command line (an unknown option), whose words may hold anything.
      if (e.message !== '') ctx.stderr.write(`kestra-secrets: ${ctx.paint.error('error')}: ${escapeControls(e.message)}\n`)
      return e.code
    }
    const err = e instanceof Error ? e : new Error(String(e))
    const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l))
    ctx.stderr.write(`kestra-secrets: internal error (${err.name}); this is a bug, please report it at ${ISSUES}\n` +
      `${frames.join('\n')}\n`)
    return EXIT.bug
  }
}

/** The process entry point: the only place that sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const env = process.env
  const ctx: Context = {
    // fd 1 itself rather than process.stdout: every byte or an error (see resultSink).
    stdout: resultSink(1),
    stderr: fdSink(2),
    env,
    paint: await paintFor(colorLevel(undefined, env, await isTerminal(2))),
  }
  process.exitCode = await run(argv, ctx)
}
