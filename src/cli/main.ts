import { colorLevel, paintFor } from './color.js'
import { EXIT, ExitError, InputError } from './errors.js'
import { parseArgs } from './program.js'
import type { Invocation } from './program.js'
import type { Context } from './report.js'

/** Each command's module, loaded only when that command runs. */
const COMMANDS: Record<string, () => Promise<(inv: Invocation, ctx: Context) => Promise<number>>> = {
  encode: async () => (await import('../commands/encode.js')).encode,
}

const ISSUES = 'https://github.com/kestra-secrets/kestra-secrets/issues'

/**
 * The only place that sets the exit code. Expected failures (ExitError) print one line; anything
 * else is a bug: its stack is printed (without the error's message, which could quote input) with
 * a request to report it.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const { stdout, stderr, env } = process
  // A reader that goes away (`| head -1`) is not an error of ours.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok)
    throw e
  })
  const ctx: Context = { stdout, stderr, env, paint: await paintFor(colorLevel(undefined, env, stderr.isTTY === true)) }
  try {
    const invocation = parseArgs(argv, { out: (s) => stdout.write(s), err: (s) => stderr.write(s) })
    if (invocation === undefined) return
    if (invocation.color === false) ctx.paint = await paintFor(0)
    const load = COMMANDS[invocation.command]
    if (load === undefined) throw new Error(`command ${invocation.command} has no module`)
    const run = await load()
    process.exitCode = await run(invocation, ctx)
  } catch (e) {
    if (e instanceof InputError) {
      stderr.write(`${e.where}: ${ctx.paint.error('error')}: ${e.message}\n`)
      process.exitCode = e.code
    } else if (e instanceof ExitError) {
      if (e.message !== '') stderr.write(`kestra-secrets: ${ctx.paint.error('error')}: ${e.message}\n`)
      process.exitCode = e.code
    } else {
      const err = e instanceof Error ? e : new Error(String(e))
      const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l))
      stderr.write(`kestra-secrets: internal error (${err.name}); this is a bug, please report it at ${ISSUES}\n` +
        `${frames.join('\n')}\n`)
      process.exitCode = EXIT.bug
    }
  }
}
