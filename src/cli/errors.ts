/**
 * The mark of an expected failure. The CLI is two bundles (decode and check load theirs on
 * demand), each with its own copy of these classes, so the entry point tells them by this mark,
 * not by instanceof.
 */
const EXPECTED = Symbol.for('kestra-secrets.expected-failure')

/**
 * An expected failure: its message has been printed already (or is printed by the entry point as
 * one line), and the process ends with `code`. Anything else that reaches the entry point is a bug.
 */
export class ExitError extends Error {
  readonly [EXPECTED] = true
  constructor(readonly code: number, message = '') {
    super(message)
    this.name = 'ExitError'
  }
}

/** An ExitError, from whichever bundle. */
export function isExitError(e: unknown): e is ExitError {
  return typeof e === 'object' && e !== null && (e as { [EXPECTED]?: unknown })[EXPECTED] === true
}

/** An InputError, from whichever bundle. */
export function isInputError(e: unknown): e is InputError {
  return isExitError(e) && typeof (e as Partial<InputError>).where === 'string'
}

/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  rejected: 1,
  usage: 2,
  interrupted: 130,
  bug: 70,
} as const

/** Bad input or an output that cannot be written: one line `where: error: what`, exit 1. */
export class InputError extends ExitError {
  constructor(readonly where: string, what: string) {
    super(EXIT.rejected, what)
    this.name = 'InputError'
  }
}

/** A command line that does not make sense: one line, exit 2. */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(EXIT.usage, message)
    this.name = 'UsageError'
  }
}
