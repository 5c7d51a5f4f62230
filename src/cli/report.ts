import { basename } from 'node:path'
import { isTrackableByGit } from '../io/git.js'
import type { Diagnostic } from '../core/diagnostics.js'
import type { ResultSink } from '../io/fd.js'
import type { TextSink } from '../io/stderr.js'
import type { Paint } from './color.js'

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

/** `file:line: warning: message`, the form editors and CI logs link to. */
export function formatDiagnostic(name: string, d: Diagnostic, paint: Paint): string {
  const where = d.line === undefined ? name : `${name}:${d.line}`
  const label = d.severity === 'error' ? paint.error('error') : d.severity === 'warning' ? paint.warning('warning') : paint.dim('note')
  return `${where}: ${label}: ${d.message}`
}

/**
 * Prints diagnostics on stderr; with `strict` warnings count as errors, with `quiet` only errors
 * are printed. Returns the diagnostics as they were judged.
 */
export function printDiagnostics(ctx: Context, name: string, diagnostics: readonly Diagnostic[],
  { strict = false, quiet = false }: { strict?: boolean; quiet?: boolean }): Diagnostic[] {
  const judged = diagnostics.map((d) => (strict && d.severity === 'warning' ? { ...d, severity: 'error' as const } : d))
  const lines: string[] = []
  const shown = new Map<string, number>()
  for (const d of judged) {
    if (quiet && d.severity !== 'error') continue
    const n = (shown.get(d.code) ?? 0) + 1
    shown.set(d.code, n)
    if (n <= MAX_SHOWN_PER_CODE) lines.push(formatDiagnostic(name, d, ctx.paint))
  }
  // Thousands of one finding help nobody read a log: the first ones, then how many more.
  for (const [code, n] of shown) {
    if (n > MAX_SHOWN_PER_CODE) lines.push(`${name}: ${ctx.paint.dim(`... and ${n - MAX_SHOWN_PER_CODE} more like the above (${code})`)}`)
  }
  if (lines.length > 0) ctx.stderr.write(lines.join('\n') + '\n')
  return judged
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/**
 * A warning about the output file, printed like the input's diagnostics, when git would track it:
 * `why` says what is at stake. Returns the diagnostics as judged (empty when git ignores it).
 */
export async function warnIfTrackable(ctx: Context, output: string, why: string,
  options: { strict?: boolean; quiet?: boolean }): Promise<Diagnostic[]> {
  if (!(await isTrackableByGit(output))) return []
  const warning: Diagnostic = {
    code: 'not-git-ignored',
    severity: 'warning',
    message: `is in a git work tree and not ignored, and ${why}: add the line ${basename(output)} to .gitignore`,
  }
  return printDiagnostics(ctx, output, [warning], options)
}
