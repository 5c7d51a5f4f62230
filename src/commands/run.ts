import { encodeEnv, type EncodedEntry } from '../core/encode.js'
import { EXIT, ExitError, UsageError } from '../errors.js'
import { runChild, type StartFailure } from '../io/child.js'
import { readInput } from '../io/read.js'
import { encodeHints } from './encode.js'
import { encodeOptions } from './encode-options.js'
import type { Invocation } from './invocation.js'
import type { Diagnostic } from '../core/diagnostics.js'
import { secretName } from '../core/kestra.js'
import { displayName } from '../core/names.js'
import { plural, Reporter, type Context } from './report.js'

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
  const reporter = new Reporter(ctx, { strict: o.strict, quiet: o.quiet, hints: encodeHints(o) })

  const input = readInput(file)
  const result = encodeEnv(input.text, encodeOptions(o, ctx.env))
  reporter.add(input.name, result.diagnostics)
  const inherited = result.ok ? inheritedSecrets(result.entries, ctx.env) : { diagnostics: [], left: [] }
  reporter.add(input.name, inherited.diagnostics)
  reporter.print()
  if (reporter.failed) {
    reporter.printNothingDone('started')
    return EXIT.rejected
  }

  const env: NodeJS.ProcessEnv = { ...ctx.env }
  for (const variable of inherited.left) delete env[variable]
  for (const e of result.entries) env[e.variable] = e.encoded
  // (Printed through the summary and the error line, which escape control characters.)
  const program = argv[0]
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
 * What the environment holds already of the file's secrets, as warnings in the file's order, and
 * the variables to leave out of the command's environment; then one note that names the
 * environment's other SECRET_ variables, which the command gets as they are. The file is what
 * the user asked for, and an older copy (a `set -a; . .env_encoded` earlier in the shell) is the
 * likely source of the rest, so the file's value wins:
 * - a SECRET_ variable of the same name with another value is replaced by the file's;
 * - one that is the same secret to Kestra under another case (SECRET_TOKEN for the file's
 *   `token`) is left out: Kestra upper-cases names after the prefix, and given both it fails at
 *   start-up on the duplicate key, or keeps one of them.
 */
function inheritedSecrets(entries: readonly EncodedEntry[], env: NodeJS.ProcessEnv):
  { diagnostics: Diagnostic[]; left: string[] } {
  const diagnostics: Diagnostic[] = []
  const left: string[] = []
  const bySecret = new Map<string, string[]>()
  for (const [variable, value] of Object.entries(env)) {
    const name = value === undefined ? undefined : secretName(variable)
    if (name !== undefined) bySecret.set(name, [...(bySecret.get(name) ?? []), variable])
  }
  if (bySecret.size === 0) return { diagnostics, left }
  for (const e of entries) {
    const current = env[e.variable]
    if (current !== undefined && current !== e.encoded) {
      diagnostics.push({
        code: 'environment-replaced',
        severity: 'warning',
        line: e.line,
        key: displayName(e.name),
        message: `${displayName(e.variable)} is set in the environment already, to another value: the command gets the one from this file`,
      })
    }
    const name = secretName(e.variable)
    for (const variable of (name === undefined ? undefined : bySecret.get(name)) ?? []) {
      if (variable === e.variable) continue
      left.push(variable)
      diagnostics.push({
        code: 'environment-case-collision',
        severity: 'warning',
        line: e.line,
        key: displayName(e.name),
        message: `${displayName(variable)} in the environment is the same secret to Kestra as ${displayName(e.variable)} (it upper-cases names), ` +
          `which would fail on the duplicate or keep one of them: the command gets the one from this file, not ${displayName(variable)}`,
      })
    }
  }
  // The rest reach the command as they are: a note, as Kestra will read them as secrets too.
  const ours = new Set(entries.map((e) => secretName(e.variable)))
  const theirs = [...bySecret].filter(([name]) => !ours.has(name)).map(([, variables]) => variables.sort())
  const others = theirs.flat().sort()
  if (others.length > 0) diagnostics.push({ code: 'environment-inherited', severity: 'note', message: inheritedMessage(others) })
  // Two of them that are one secret to Kestra make it fail at start-up, file or no file.
  for (const variables of theirs.filter((v) => v.length > 1)) {
    diagnostics.push({
      code: 'environment-case-collision',
      severity: 'warning',
      message: `${variables.map(displayName).join(' and ')} in the environment are one secret to Kestra (it upper-cases names), ` +
        'which fails on the duplicate or keeps one of them: unset all of them but one',
    })
  }
  return { diagnostics, left }
}

/** The most names a message lists. */
const MAX_LISTED = 5

function inheritedMessage(variables: readonly string[]): string {
  const n = variables.length
  const listed = variables.slice(0, MAX_LISTED).map(displayName).join(', ') + (n > MAX_LISTED ? `, and ${n - MAX_LISTED} more` : '')
  return n === 1
    ? `${listed} is in the environment and not in this file: the command gets it too, and Kestra reads it as a secret`
    : `${n} SECRET_ variables are in the environment and not in this file (${listed}): the command gets them too, and Kestra reads them as secrets`
}
