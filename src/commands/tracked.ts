import { basename } from 'node:path'
import type { DiagnosticCode, Finding } from '../core/diagnostics.js'
import { trackableByGit } from '../io/git.js'

/** A file the tool reads or writes that git should not track, and what is at stake if it does. */
export interface Guarded {
  path: string
  why: string
  code: Extract<DiagnosticCode, 'not-git-ignored' | 'input-not-git-ignored'>
  /** The lines of .gitignore that cover it (default: its name). */
  lines?: string[]
}

/** The warning about each file that git would track, with the lines of .gitignore that cover it. */
export async function trackedWarnings(files: readonly Guarded[]): Promise<Finding[]> {
  if (files.length === 0) return []
  const trackable = await trackableByGit(files.map((f) => f.path))
  return files.filter((f) => trackable.has(f.path)).map(({ path, why, code, lines = [basename(path)] }) => {
    const add = lines.length === 1 ? `the line ${lines[0]}` : `the lines ${lines.join(', ')}`
    return { file: path, code, severity: 'warning', message: `is in a git work tree and not ignored, and ${why}: add ${add} to .gitignore` }
  })
}
