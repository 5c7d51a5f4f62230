import { basename } from 'node:path'
import type { Diagnostic } from '../core/diagnostics.js'
import { isTrackableByGit } from '../io/git.js'

/**
 * The warning about an output file that git would track, with what is at stake (`why`), or none
 * when git ignores it or there is no work tree.
 */
export async function trackedWarnings(output: string, why: string): Promise<Diagnostic[]> {
  if (!(await isTrackableByGit(output))) return []
  return [{
    code: 'not-git-ignored',
    severity: 'warning',
    message: `is in a git work tree and not ignored, and ${why}: add the line ${basename(output)} to .gitignore`,
  }]
}
