import type { Diagnostic, DiagnosticCode } from '../core/diagnostics.js'
import type { ResultSink } from '../io/fd.js'
import type { TextSink } from '../io/stderr.js'

/** Colours for stderr, chosen once by the CLI (cli/color.ts). */
export interface Paint {
  error(s: string): string
  warning(s: string): string
  dim(s: string): string
  ok(s: string): string
}

export interface Context {
  /** Where results go. */
  stdout: ResultSink
  /** Where diagnostics and summaries go. */
  stderr: TextSink
  paint: Paint
  env: NodeJS.ProcessEnv
}

/** How many diagnostics of one code are printed before the rest are only counted. */
export const MAX_SHOWN_PER_CODE = 20

/** A diagnostic and the file it is about. */
export interface Reported extends Diagnostic {
  file: string
}

export interface ReportOptions {
  /** Warnings count as errors. */
  strict?: boolean
  /** Only errors are printed. */
  quiet?: boolean
  /**
   * What the command line can do about a finding, added to its message: the core names no flag of
   * the CLI (`, or pass --allow-duplicates to keep the last`).
   */
  hints?: Partial<Record<DiagnosticCode, string | ((d: Reported) => string)>>
  /** Every finding is kept in `all` (for `--json`); otherwise only those that print shows. */
  keepAll?: boolean
}

/**
 * The one way diagnostics reach the user, for every command: judged once (`--strict` makes
 * warnings errors, the CLI's hints are added), then printed on stderr as `file:line: severity:
 * message`, at most 20 of one code, with a count of the rest. `--json` takes them all, judged.
 */
export class Reporter {
  /** Every finding, judged, with `keepAll`; empty otherwise. */
  readonly all: Reported[] = []
  /** The warnings that --strict made errors. */
  promoted = 0
  private readonly options: ReportOptions
  /** What the next print shows: at most MAX_SHOWN_PER_CODE of each code, in the order added. */
  private shown: Reported[] = []
  /** How many of each code the next print counts (all of them, shown or not), by first appearance. */
  private perCode = new Map<DiagnosticCode, number>()

  constructor(private readonly ctx: Context, options: ReportOptions) {
    this.options = options
  }

  /** Takes the diagnostics about `file` (a finding's own `file` wins). */
  add(file: string, diagnostics: readonly Diagnostic[]): void {
    const { strict = false, quiet = false, hints = {}, keepAll = false } = this.options
    for (const d of diagnostics) {
      const promote = strict && d.severity === 'warning'
      if (promote) this.promoted++
      const severity = promote ? 'error' : d.severity
      this.counts[severity]++
      const printed = !quiet || severity === 'error'
      let n = 0
      if (printed) {
        n = (this.perCode.get(d.code) ?? 0) + 1
        this.perCode.set(d.code, n)
      }
      const shown = printed && n <= MAX_SHOWN_PER_CODE
      // Tens of thousands of one finding are only counted, unless --json wants them.
      if (!shown && !keepAll) continue
      // One shape for all, in the order --json shows (JSON leaves out what is undefined).
      const reported: Reported = {
        file: (d as Partial<Reported>).file ?? file, line: d.line, key: d.key, code: d.code, severity, message: d.message,
      }
      const hint = hints[d.code]
      if (hint !== undefined) reported.message += typeof hint === 'string' ? hint : hint(reported)
      if (keepAll) this.all.push(reported)
      if (shown) this.shown.push(reported)
    }
  }

  count(severity: Diagnostic['severity']): number {
    return this.counts[severity]
  }

  get failed(): boolean {
    return this.counts.error > 0
  }

  private readonly counts = { error: 0, warning: 0, note: 0 }

  /** Prints what was added since the last print. */
  print(): void {
    const { paint } = this.ctx
    const lines = this.shown.map((d) => formatDiagnostic(d, paint))
    // Thousands of one finding help nobody read a log: the first ones, then how many more.
    for (const [code, n] of this.perCode) {
      if (n > MAX_SHOWN_PER_CODE) lines.push(paint.dim(`... and ${n - MAX_SHOWN_PER_CODE} more like the above (${code})`))
    }
    this.shown = []
    this.perCode = new Map()
    if (lines.length > 0) this.ctx.stderr.write(lines.join('\n') + '\n')
  }

  /** The summary of a command that did its work, with the count of warnings it printed. */
  printSummary(text: string): void {
    const warnings = this.count('warning')
    const { paint } = this.ctx
    // It names files, whose names may hold control characters.
    this.ctx.stderr.write(paint.ok(escapeControls(text)) + (warnings > 0 ? paint.warning(` (${plural(warnings, 'warning')})`) : '') + '\n')
  }

  /** The last line of a command that stopped because of errors: nothing was written, or started. */
  printNothingDone(what: 'written' | 'started' = 'written'): void {
    this.ctx.stderr.write(this.ctx.paint.error(`nothing was ${what}: ${plural(this.count('error'), 'error')}${this.strictNote()}`) + '\n')
  }

  /** ` (--strict made 2 warnings errors)`, or nothing. */
  strictNote(): string {
    return this.promoted === 0 ? '' : ` (--strict made ${plural(this.promoted, 'warning')} ${this.promoted === 1 ? 'an error' : 'errors'})`
  }

}

/** `file:line: warning: message`, the form editors and CI logs link to; control characters escaped. */
export function formatDiagnostic(d: Reported, paint: Paint): string {
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}`
  const label = d.severity === 'error' ? paint.error('error') : d.severity === 'warning' ? paint.warning('warning') : paint.dim('note')
  return `${escapeControls(where)}: ${label}: ${escapeControls(d.message)}`
}

/**
 * Control characters (a path or a name may hold them) written as `\xNN`, so that nothing printed
 * can move the cursor, clear the screen or forge a line of its own.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)
    // eslint-disable-next-line no-control-regex
    ? text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
      const code = c.charCodeAt(0)
      return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`
    })
    : text
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
