/**
 * The failures the tool expects, shared by io, the commands and the CLI: each has printed its
 * message already, or is printed by the entry point as one line, and ends the process with its
 * code. Anything else that reaches the entry point is a bug.
 */

/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  rejected: 1,
  usage: 2,
  interrupted: 130,
  bug: 70,
} as const

/** An expected failure that ends the run with `code`; `message` is one line, or empty. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message)
    this.name = 'ExitError'
  }
}

/**
 * Bad input or an output that cannot be written: one line `where: error: what` (`where:line:` for
 * a place in a file), exit 1. `where` is the file (or `stdout`), `line` the 1-based line, if any.
 */
export class InputError extends ExitError {
  constructor(readonly where: string, what: string, readonly line?: number) {
    super(EXIT.rejected, what)
    this.name = 'InputError'
  }

  /** The file, and the line when there is one: how the message starts. */
  get place(): string {
    return this.line === undefined ? this.where : `${this.where}:${this.line}`
  }
}

/** A command line that does not make sense: one line, exit 2. */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(EXIT.usage, message)
    this.name = 'UsageError'
  }
}
