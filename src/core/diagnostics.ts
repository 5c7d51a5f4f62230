import { lineIndex } from './lines.js'

/** A note is for information only: it never fails a run, not even with --strict. */
export type Severity = 'error' | 'warning' | 'note'

/** Every diagnostic the core can report. Codes are stable: scripts may match on them. */
export type DiagnosticCode =
  | 'binary'
  | 'lone-surrogate'
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
  | 'flow-syntax'
  | 'flow-missing-subkey'
  | 'dynamic-subkey'
  | 'ignored-namespace'
  | 'format-syntax'
  | 'format-invalid'
  | 'format-skipped'
  | 'secret-limit'
  | 'kubectl-line-limit'
  | 'kubectl-rejects'
  | 'lone-cr'
  | 'invalid-name'
  | 'commented-entry'
  | 'reference'
  | 'unresolved-reference'
  | 'expansion-limit'
  | 'crlf-shell'
  | 'input-not-git-ignored'
  | 'no-secrets'
  | 'plain-env'
  | 'defined-twice'
  | 'decoded-twice'
  | 'environment-replaced'
  | 'environment-case-collision'
  | 'environment-inherited'
  | 'defined-elsewhere'
  | 'value-in-name'

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

/** A diagnostic with the file it is about: the encoded file, the plain file, or a flow. */
export interface Finding extends Diagnostic {
  file: string
}

/** A finding, its properties in the order `check --json` shows them. */
export function finding(file: string, code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string): Finding {
  return { file, ...(line !== undefined && { line }), ...(key !== undefined && { key }), code, severity, message }
}

/** A file given by its name (as messages should show it) and its text. */
export interface CheckFile {
  name: string
  text: string
}

/** The `no-entries` warning of encode and decode (the output they write holds no secret). */
export const NO_ENTRIES_MESSAGE = 'no KEY=VALUE entries found: the output holds no secret'

// Half of a surrogate pair: in `u` mode a pair is one character, so only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * The error for a text that no text file read as UTF-8 gives (`what`: "a .env file"): one with a
 * NUL byte, or, from a library caller, a string with half of a surrogate pair, which UTF-8 cannot
 * carry (each such value would be written as U+FFFD).
 */
export function unreadableText(source: string, what: string): Diagnostic | undefined {
  const nul = source.indexOf('\0')
  if (nul !== -1) {
    const message = looksLikeUtf16(source)
      ? `has a NUL between its characters: this looks like UTF-16 text read as UTF-8, not ${what}: save it as UTF-8 or read it as UTF-16`
      : `contains a NUL byte: this looks like a binary file, not ${what}`
    return { code: 'binary', severity: 'error', message, line: lineIndex(source).lineAt(nul) }
  }
  const half = source.search(LONE_SURROGATE)
  if (half === -1) return undefined
  return { code: 'lone-surrogate', severity: 'error', line: lineIndex(source).lineAt(half),
    message: `has half of a UTF-16 surrogate pair, which no UTF-8 text holds (it would be written as U+FFFD): pass ${what} as it was read` }
}

/**
 * Whether the text starts as UTF-16 read as UTF-8 (or Latin-1) does: its byte-order mark, if any,
 * as one or two unreadable characters, then the first characters each beside a NUL. A library
 * user who read a UTF-16 file as UTF-8 gets this; the CLI reads the mark itself.
 */
function looksLikeUtf16(source: string): boolean {
  let p = 0
  while (p < 2 && /[\uFFFD\u00FE\u00FF]/.test(source.charAt(p))) p++
  const head = source.slice(p, p + 8)
  if (head.length < 8) return false
  // Little-endian: the NULs follow each character; big-endian: they come first.
  const nulAt = head.charCodeAt(0) === 0 ? 0 : 1
  for (let k = 0; k < 8; k++) if ((head.charCodeAt(k) === 0) !== (k % 2 === nulAt)) return false
  return true
}

/** Sorts by line, stably (findings without a line first); most lists are in order already. */
export function sortByLine(diagnostics: Diagnostic[]): void {
  for (let i = 1; i < diagnostics.length; i++) {
    if (((diagnostics[i - 1] as Diagnostic).line ?? 0) > ((diagnostics[i] as Diagnostic).line ?? 0)) {
      diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      return
    }
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  for (let i = 0; i < diagnostics.length; i++) if ((diagnostics[i] as Diagnostic).severity === 'error') return true
  return false
}

/** Adds one diagnostic; `line` and `key` are left out of it when undefined. */
export type Report = (code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string) => void

export function diagnostic(code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string): Diagnostic {
  // Built whole when it can be, with the properties in the order they are always added in: an
  // object that grows property by property costs more, and some inputs give thousands of these.
  if (line !== undefined) {
    return key !== undefined ? { code, severity, message, line, key } : { code, severity, message, line }
  }
  const d: Diagnostic = { code, severity, message }
  if (key !== undefined) d.key = key
  return d
}

/** A list of diagnostics and the function that adds to it. */
export function collector(): { diagnostics: Diagnostic[]; report: Report } {
  const diagnostics: Diagnostic[] = []
  const report: Report = (code, severity, line, key, message) => {
    // The usual finding, about one entry, built here without another call.
    diagnostics.push(line !== undefined && key !== undefined
      ? { code, severity, message, line, key }
      : diagnostic(code, severity, line, key, message))
  }
  return { diagnostics, report }
}
