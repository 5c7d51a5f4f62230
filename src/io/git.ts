import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { builtin } from './builtin-module.js'

/**
 * Which of `paths` lie in a git work tree and are not ignored by git. Git is asked only when a
 * `.git` is found above a file, so writing outside a repository starts no process and does not
 * even load child_process; inside one, a single `git check-ignore` answers for every path.
 */
export async function trackableByGit(paths: readonly string[]): Promise<Set<string>> {
  const asked = paths.filter((p) => inWorkTree(resolve(p)))
  if (asked.length === 0) return new Set()
  const full = asked.map((p) => resolve(p))
  const { spawnSync } = await builtin<typeof import('node:child_process')>('node:child_process')
  // The paths go through stdin, NUL-separated, so that no name can be taken for another.
  // core.fsmonitor names a command git would run for any repository's config (a .git that came
  // in an archive): asking whether a path is ignored must start nothing else.
  const result = spawnSync('git', ['-c', 'core.fsmonitor=false', 'check-ignore', '--stdin', '-z'],
    { cwd: dirname(full[0] as string), input: full.join('\0') + '\0', encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] })
  // 0: some are ignored (listed); 1: none is. Anything else: no git (say nothing), or paths in
  // different work trees, which are asked one by one.
  if (result.status !== 0 && result.status !== 1) {
    if (asked.length === 1) return new Set()
    const each = await Promise.all(asked.map((p) => trackableByGit([p])))
    return new Set(asked.filter((_, i) => each[i]?.has(asked[i] as string)))
  }
  const ignored = new Set(result.stdout.split('\0'))
  return new Set(asked.filter((_, i) => !ignored.has(full[i] as string)))
}

function inWorkTree(full: string): boolean {
  for (let dir = dirname(full); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return true
    if (dirname(dir) === dir) return false
  }
}
