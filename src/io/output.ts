import { fstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs'
import { basename, dirname, resolve, sep } from 'node:path'
import { InputError, UsageError } from '../errors.js'
import { describeFsError } from './read.js'
import { fstatOrUndefined, sameFile, statOfPath, statOrUndefined } from './same-file.js'

/**
 * What an output path is, which decides how it is written:
 * - `file`: a regular file or a path that does not exist yet, replaced whole by a rename;
 * - `fd`: one of this process's descriptors (`/dev/fd/N`, `/proc/self/fd/N`, `/dev/stdout`, a
 *   link to one of them, `>(cmd)`), written into as a shell redirection would be;
 * - `device`: a character device or a named pipe, opened and written into: renaming a file over
 *   it would destroy the device (`/dev/null`) and leave its reader waiting.
 */
export type OutputTarget =
  | { kind: 'file'; stats: Stats | undefined }
  | { kind: 'fd'; fd: number; stats: Stats }
  | { kind: 'device'; stats: Stats }

export function outputTarget(path: string): OutputTarget {
  const fd = descriptorOf(path)
  if (fd !== undefined) {
    let stats: Stats
    try {
      stats = fstatSync(fd)
    } catch (e) {
      throw new InputError(path, describeFsError(e, 'write'))
    }
    if (isNodesOwn(fd)) throw new InputError(path, 'is not open for this program (it is one of Node\'s own descriptors): open it in the shell, as in 3>file')
    return { kind: 'fd', fd, stats }
  }
  const stats = statOrUndefined(path)
  if (stats === undefined || stats.isFile() || stats.isDirectory()) return { kind: 'file', stats }
  if (stats.isCharacterDevice() || stats.isFIFO()) return { kind: 'device', stats }
  if (stats.isBlockDevice()) throw new InputError(path, 'is a disk (a block device): refusing to write over it; choose a file with -o')
  throw new InputError(path, 'is a socket, which cannot be opened as a file: choose a file with -o, or use --stdout')
}

/** The folders through which a process sees its own descriptors. */
const OWN_FD_FOLDERS = new Set(['/dev/fd', `/proc/${process.pid}/fd`])
const OWN_TASK_FD = new RegExp(`^/proc/${process.pid}/task/\\d+/fd$`)

/**
 * The descriptor that `path` names, following symbolic links one by one (`/dev/stdout` →
 * `/proc/self/fd/1`): the last link, the one in /proc, leads to whatever the descriptor is open
 * on, which may be a pipe with no path at all, so it is recognised by its folder instead.
 */
function descriptorOf(path: string): number | undefined {
  let p = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    let folder: string
    try {
      folder = realpathSync(dirname(p))
    } catch {
      return undefined
    }
    const name = basename(p)
    if (/^\d+$/.test(name) && (OWN_FD_FOLDERS.has(folder) || OWN_TASK_FD.test(folder))) return Number(name)
    let link: string
    try {
      link = readlinkSync(p)
    } catch {
      return undefined // not a link (or missing): not a descriptor
    }
    p = resolve(folder, link)
  }
  return undefined
}

/**
 * Whether a descriptor is one that Node opened for itself rather than one the caller handed over:
 * an event or poll descriptor, or a pipe with both ends in this process, which nobody else could
 * read. Writing there would feed Node's event loop. Told from /proc (Linux); elsewhere, trusted.
 */
function isNodesOwn(fd: number): boolean {
  if (fd <= 2) return false
  let link: string
  try {
    link = readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return false
  }
  if (link.startsWith('anon_inode:')) return true
  if (!link.startsWith('pipe:')) return false
  let ends = 0
  for (const other of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${other}`) === link) ends++
    } catch { /* closed meanwhile: the folder's own descriptor */ }
  }
  return ends > 1
}

/** Whether a path names something other than a regular file (stdin, a pipe, a device). */
function isStream(path: string): boolean {
  if (path === '-' || descriptorOf(path) !== undefined) return true
  const stats = statOrUndefined(path)
  return stats !== undefined && !stats.isFile() && !stats.isDirectory()
}

export interface OutputCheck {
  /** The output name was made from the input's (`FILE_encoded`), not given with -o. */
  derived?: boolean
}

/**
 * The output may not be a folder nor the input itself (by path, or by device and inode, for a
 * named input and for stdin alike), and a name made from the input needs an input with a name.
 */
export function checkOutputPath(output: string, input: string, { derived = false }: OutputCheck = {}): void {
  if (derived && isStream(input)) {
    // A name beside /dev/stdin, a pipe or a descriptor would be /dev/stdin_encoded, /dev/fd/values.secrets.yaml...
    throw new UsageError(`${input === '-' ? 'stdin' : input} is not a regular file, so no output name can be made from it: give one with -o, or use --stdout`)
  }
  const target = outputTarget(output)
  if (target.stats?.isDirectory()) throw new InputError(output, 'is a folder: give a file path to -o')
  if (input !== '-' && resolve(output) === resolve(input)) throw itself(output)
  if (isInput(target.stats, input)) throw itself(output)
}

/**
 * Refuses to print the result when stdout is the input (`encode .env --stdout >> .env`,
 * `encode - --stdout < .env >> .env`), by the rule of checkOutputPath.
 */
export function checkStdout(input: string): void {
  if (isInput(fstatOrUndefined(1), input)) {
    throw new InputError('stdout', `is ${input === '-' ? 'stdin' : input}, the input itself: refusing to write over it; redirect the output to another file`)
  }
}

/**
 * Whether an output is the input (`-`: stdin), by device and inode. A terminal may well be both
 * (`encode /dev/tty -o /dev/tty`); a file or a pipe may not.
 */
function isInput(out: Stats | undefined, input: string): boolean {
  return sameFile(out, statOfPath(input)) && !(out as Stats).isCharacterDevice()
}

function itself(output: string): InputError {
  return new InputError(output, 'is the input file itself: refusing to write over it; choose another path with -o')
}

/**
 * Why an output cannot be made at `path` for want of its folder (ENOENT, or ENOTDIR), told from
 * the path: a path that ends with a separator names a folder (`-o out/`), whose rename fails with
 * ENOTDIR though nothing there is a file; otherwise the folder is the path's parent. Its nearest
 * ancestor that exists tells which: a folder (the rest is missing) or a file used as a folder.
 * Undefined when the folder is there after all (then the error's own reason is the one to give).
 */
export function missingFolder(path: string): string | undefined {
  const trailing = path.endsWith('/') || path.endsWith(sep)
  const folder = trailing ? path.replace(/[\\/]+$/, '') || path : dirname(path)
  for (let p = folder; ; p = dirname(p)) {
    const stats = statOrUndefined(p)
    if (stats !== undefined) {
      if (!stats.isDirectory()) return `${p} ${stats.isFile() ? 'is a file, not a folder' : 'is not a folder'}: choose another path with -o`
      if (p === folder) return undefined
      if (!trailing) return `the folder does not exist: create ${folder} first, or choose another path with -o`
      // `-o p.env/` in a folder that exists: most likely the file p.env was meant.
      return p === dirname(folder)
        ? `ends with ${path.slice(folder.length)}, which names a folder, and -o takes a file path: write -o ${folder} for the file`
        : `names a folder (it ends with ${path.slice(folder.length)}) in a folder that does not exist, and -o takes a file path: ` +
          'give one in a folder that exists'
    }
    if (dirname(p) === p) return undefined
  }
}

