export type Severity = 'error' | 'warning'

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
