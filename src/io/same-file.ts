import { fstatSync, statSync, type Stats } from 'node:fs'
import { resolve } from 'node:path'

/**
 * What a path of the command line stands for, following links (`-`: stdin, by its descriptor);
 * undefined when nothing can be seen there (then reading or writing it says why).
 */
export function statOfPath(path: string): Stats | undefined {
  return path === '-' ? fstatOrUndefined(0) : statOrUndefined(path)
}

/** What stands at a path, following links; undefined when nothing can be seen there. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

export function fstatOrUndefined(fd: number): Stats | undefined {
  try {
    return fstatSync(fd)
  } catch {
    return undefined
  }
}

/**
 * Whether two files are one, by device and inode: the same file under any spelling of its path
 * (`./x`, `a/../x`), through a symbolic or a hard link, or as stdin redirected from it.
 */
export function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino
}

/**
 * The first path of `paths` that names the same file as an earlier one, with that earlier one:
 * by device and inode, or by the path itself when nothing is there yet.
 */
export function givenTwice(paths: readonly string[]): { first: string; again: string } | undefined {
  const seen: Array<{ path: string; stats: Stats | undefined }> = []
  for (const path of paths) {
    const stats = statOfPath(path)
    const first = seen.find((s) => sameFile(s.stats, stats) || (path !== '-' && s.path !== '-' && resolve(s.path) === resolve(path)))
    if (first !== undefined) return { first: first.path, again: path }
    seen.push({ path, stats })
  }
  return undefined
}
