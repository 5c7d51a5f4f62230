import { basename } from 'node:path'
import type { Diagnostic } from '../core/diagnostics.js'
import { isTrackableByGit } from '../io/git.js'

/**
 * The warning about a file that git would track, with what is at stake (`why`) and the lines of
 * .gitignore that cover it; none when git ignores it or there is no work tree.
 */
export async function trackedWarnings(path: string, why: string,
  code: 'not-git-ignored' | 'input-not-git-ignored' = 'not-git-ignored', lines = [basename(path)]): Promise<Diagnostic[]> {
  if (!(await isTrackableByGit(path))) return []
  const add = lines.length === 1 ? `the line ${lines[0]}` : `the lines ${lines.join(', ')}`
  return [{ code, severity: 'warning', message: `is in a git work tree and not ignored, and ${why}: add ${add} to .gitignore` }]
}
