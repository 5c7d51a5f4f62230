import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { builtin } from './builtin-module.js'

/**
 * True when `path` lies in a git work tree and git does not ignore it. Git is asked only when a
 * `.git` is found above the file, so writing outside a repository starts no process and does not
 * even load child_process (loading it is a fifth of the start-up cost of a small encode).
 */
export async function isTrackableByGit(path: string): Promise<boolean> {
  const full = resolve(path)
  let dir = dirname(full)
  for (;;) {
    if (existsSync(join(dir, '.git'))) break
    const up = dirname(dir)
    if (up === dir) return false
    dir = up
  }
  const { spawnSync } = await builtin<typeof import('node:child_process')>('node:child_process')
  const result = spawnSync('git', ['check-ignore', '-q', '--', full], { cwd: dirname(full), stdio: 'ignore' })
  // 0: ignored; 1: not ignored; anything else (no git, not a work tree): say nothing.
  return result.status === 1
}
