/** A note is for information only: it never fails a run, not even with --strict. */
export type Severity = 'error' | 'warning' | 'note'

/** Every diagnostic the core can report. Codes are stable: scripts may match on them. */
export type DiagnosticCode =
  | 'binary'
  | 'duplicate'
  | 'case-collision'
  | 'already-encoded'
  | 'ignored-line'
  | 'bare-name'
  | 'hash-in-value'
  | 'text-after-quote'
  | 'unterminated-quote'
  | 'literal-escape'
  | 'name-not-portable'
  | 'already-prefixed'
  | 'ignored-name'
  | 'no-entries'
  | 'not-git-ignored'
  // decode and check (issue 3)
  | 'invalid-base64'
  | 'not-utf8'
  | 'not-printable'
  | 'unwritable-value'
  | 'not-prefixed'
  | 'prefix-case'
  | 'empty-name'
  | 'wrapped-value'
  | 'template'
  | 'quoted-value'
  | 'inline-comment'
  | 'export-prefix'
  | 'entry-form'
  | 'trailing-newline'
  | 'decoded-quoted'
  | 'decoded-comment'
  | 'missing-secret'
  | 'extra-secret'
  | 'stale-secret'
  | 'name-case-differs'
  | 'flow-missing-secret'
  | 'unused-secret'
  | 'dynamic-secret'
  | 'no-flows'
  // encode --format, and documents read by readFormatted (issue 4)
  | 'format-syntax'
  | 'format-invalid'
  | 'format-skipped'
  | 'secret-limit'
  | 'kubectl-line-limit'
  | 'kubectl-rejects'
  | 'lone-cr'
  // decode and check of the formats of encode --format
  | 'invalid-name'

/**
 * One finding about the input. `message` never contains a value: it names the line and the key
 * and says what to do.
 */
export interface Diagnostic {
  code: DiagnosticCode
  severity: Severity
  /** 1-based line in the input, when the finding has one. */
  line?: number
  /** The entry's name, when the finding is about one entry. */
  key?: string
  message: string
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}

/** Adds one diagnostic; `line` and `key` are left out of it when undefined. */
export type Report = (code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string) => void

export function diagnostic(code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string): Diagnostic {
  const d: Diagnostic = { code, severity, message }
  if (line !== undefined) d.line = line
  if (key !== undefined) d.key = key
  return d
}

/** A list of diagnostics and the function that adds to it. */
export function collector(): { diagnostics: Diagnostic[]; report: Report } {
  const diagnostics: Diagnostic[] = []
  return { diagnostics, report: (...args) => { diagnostics.push(diagnostic(...args)) } }
}
