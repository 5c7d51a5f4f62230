import { encodeEnv, type EncodedEntry } from '../core/encode.js'
import { EXIT, ExitError, UsageError } from '../errors.js'
import { runChild, type StartFailure } from '../io/child.js'
import { readInput } from '../io/read.js'
import { ENCODE_HINTS } from './encode.js'
import { encodeOptions } from './encode-options.js'
import type { Invocation } from './invocation.js'
import type { Diagnostic } from '../core/diagnostics.js'
import { escapeControls, plural, Reporter, type Context } from './report.js'

/** A shell's exit codes for a command that was not found, or found and not started. */
const NOT_FOUND = 127
const NOT_STARTED = 126

/**
 * read -> scan and encode, exactly as `encode` does -> start the command with the SECRET_
 * variables added to the environment it inherits. Nothing is written: the values exist only in
 * the command's environment. Bad input starts nothing (exit 1); otherwise the command's exit code
 * is ours.
 */
export async function run(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const argv = inv.passThrough
  // parseArgs guarantees a command; this holds the type.
  if (argv === undefined || argv[0] === undefined) throw new UsageError('no command to start: give it after --')
  const file = inv.file ?? '.env'
  const reporter = new Reporter(ctx, { strict: o.strict, quiet: o.quiet, hints: ENCODE_HINTS })

  const input = readInput(file)
  const result = encodeEnv(input.text, encodeOptions(o, ctx.env))
  reporter.add(input.name, result.diagnostics)
  if (result.ok) reporter.add(input.name, replacedWarnings(result.entries, ctx.env))
  reporter.print()
  if (reporter.failed) {
    reporter.printNothingDone('started')
    return EXIT.rejected
  }

  const env: NodeJS.ProcessEnv = { ...ctx.env }
  for (const e of result.entries) env[e.variable] = e.encoded
  const program = escapeControls(argv[0])
  if (!o.quiet) {
    reporter.printSummary(`starting ${program} with ${plural(result.entries.length, 'secret')} from ${input.name}`)
  }
  const end = await runChild([argv[0], ...argv.slice(1)], env)
  if (end.started) return end.code
  throw new ExitError(end.reason === 'not-found' ? NOT_FOUND : NOT_STARTED, `${program}: ${START_FAILURES[end.reason]}`)
}

const START_FAILURES: Record<StartFailure, string> = {
  'not-found': 'command not found',
  'not-executable': 'cannot be run (not an executable file, or permission denied)',
  'too-large': 'the environment is larger than the system passes to a program (Linux: 128 KiB in one variable, ' +
    'about 2 MiB in all): pass large secrets in a file instead',
  'failed': 'could not be started',
}

/**
 * A SECRET_ variable the environment has already, with another value, is replaced by the file's:
 * the file is what the user asked for, and an older copy (a `set -a; . .env_encoded` earlier in
 * the shell) is the likely source of the other.
 */
function replacedWarnings(entries: readonly EncodedEntry[], env: NodeJS.ProcessEnv): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const e of entries) {
    const current = env[e.variable]
    if (current === undefined || current === e.encoded) continue
    out.push({
      code: 'environment-replaced',
      severity: 'warning',
      line: e.line,
      key: e.name,
      message: `${e.variable} is set in the environment already, to another value: the command gets the one from this file`,
    })
  }
  return out
}
