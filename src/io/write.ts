import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { InputError } from '../errors.js'
import { writeAll, type ResultSink } from './fd.js'
import { missingFolder, outputTarget } from './output.js'
import { describeFsError } from './read.js'
import { deliverHeldSignals, holdSignals } from './signals.js'

/**
 * Writes a result to `path`. A regular file or a new path is written whole or not at all, with
 * mode 0600 (see openOutput). A descriptor (`/dev/fd/N`, `/dev/stdout`), a character device
 * (`/dev/null`) or a named pipe is written into instead, as a shell's `>` would: there is no
 * folder to put a temporary file in, or renaming one over it would destroy it.
 */
export function writeOutput(path: string, data: string): void {
  const output = openOutput(path)
  output.write(data)
  output.commit()
}

/** An output written as it is made, that reaches its path whole or not at all. */
export interface PendingOutput {
  /** Adds text (as UTF-8) to the output; a failure to write it is thrown by commit. */
  write(text: string): void
  /** The bytes written so far. */
  readonly bytes: number
  /** Puts the output in place: renames the temporary file over the path, or writes into the descriptor. */
  commit(): void
  /** Throws away what was written, so that nothing of it reaches the path; nothing once committed. */
  discard(): void
}

/**
 * Opens an output to `path`, as writeOutput writes it. A regular file or a new path is made in a
 * temporary file beside it from the first byte, so that an output of any size need not be held in
 * memory; the temporary file goes away however the process ends before `commit` (an error, a
 * held signal, `process.exit`). A descriptor, device or named pipe gets nothing before `commit`:
 * what is written is held until then, since what reached them could not be taken back.
 */
export function openOutput(path: string): PendingOutput {
  const target = outputTarget(path)
  if (target.kind === 'file') return temporaryFile(path)
  return heldOutput((text) => {
    const data = Buffer.from(text, 'utf8')
    if (target.kind === 'fd') return writeInto(path, target.fd, data)
    const fd = openDevice(path)
    if (fd === undefined) return writeOutput(path, text)
    try {
      writeInto(path, fd, data)
    } finally {
      closeSync(fd)
    }
  })
}

/** An output held in memory: `text()` is what was written, and `commit` hands it to `put`. */
export function heldOutput(put: (text: string) => void = () => {}): PendingOutput & { text(): string } {
  let chunks: string[] = []
  let bytes = 0
  return {
    write(text) {
      chunks.push(text)
      bytes += Buffer.byteLength(text, 'utf8')
    },
    get bytes() {
      return bytes
    },
    text: () => chunks.join(''),
    commit() {
      put(chunks.join(''))
    },
    discard() {
      chunks = []
    },
  }
}

/**
 * Opens a device or a named pipe for writing: without O_CREAT, so that a path that has gone is
 * not made a file here, nor O_TRUNC or O_APPEND, which mean nothing to a device. A named pipe
 * waits for its reader, as with a shell's `>`. Undefined when a regular file or nothing stands
 * there by now: that is written as a file.
 */
function openDevice(path: string): number | undefined {
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InputError(path, `${describeFsError(e, 'write')}; nothing was written`)
  }
  if (fstatSync(fd).isFile()) {
    closeSync(fd)
    return undefined
  }
  return fd
}

function writeInto(path: string, fd: number, bytes: Uint8Array): void {
  try {
    writeAll(fd, bytes)
  } catch (e) {
    throw new InputError(path, `${describeFsError(e, 'write')}; the output is incomplete`)
  }
}

/** NAME_MAX of Linux, macOS and Windows file systems: the longest name of one path component, in bytes. */
const NAME_MAX = 255

/**
 * A name for the temporary file beside `path`, unique and at most NAME_MAX bytes however long the
 * output's name: `.` + as much of that name as fits + `.<pid>.<time and a counter>.tmp`. The
 * suffix makes it unique ('wx' refuses to reuse a name anyway); the rest only tells a person
 * whose file it was.
 */
export function temporaryName(path: string): string {
  const unique = `${process.pid}.${Date.now().toString(36)}${(tmpCounter++).toString(36)}`
  const room = NAME_MAX - `..${unique}.tmp`.length
  let name = basename(path)
  if (Buffer.byteLength(name) > room) {
    // Cut by characters, not bytes, so that no UTF-8 sequence is split.
    const chars = Array.from(name)
    let bytes = Buffer.byteLength(name)
    while (bytes > room) bytes -= Buffer.byteLength(chars.pop() as string)
    name = chars.join('')
  }
  return join(dirname(path), `.${name}.${unique}.tmp`)
}

let tmpCounter = 0

/** The most UTF-16 code units put in the write buffer at once: its 256 KiB hold them as UTF-8 whatever they are. */
const PIECE = Math.floor(256 * 1024 / 3)

/**
 * A file written whole or not at all, with mode 0600 whatever the umask: a temporary file in the
 * same folder, flushed, then renamed over the target. A symbolic link at the target is replaced,
 * never written through. The terminating signals wait until the file is in place or removed.
 * No crypto for the name: loading it costs more start-up than the whole encoding of a small file.
 */

function temporaryFile(path: string): PendingOutput {
  const tmp = temporaryName(path)
  let fd: number | undefined
  let bytes = 0
  // A failure to open or write is told at commit, as when the whole output was written at the
  // end: the command prints what it found in its input first, and a rejected input is what it
  // says then. Nothing more is written after a failure, and the temporary file is gone at once.
  let failure: unknown
  // However the process ends before the file is in place, the temporary file goes with it.
  const remove = (): void => {
    if (fd !== undefined) try { closeSync(fd) } catch { /* already failing */ }
    fd = undefined
    try { unlinkSync(tmp) } catch { /* never created, or gone */ }
  }
  const failed = (e: unknown): void => {
    failure ??= e
    remove()
  }
  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    remove()
    process.removeListener('exit', remove)
    deliverHeldSignals()
  }
  holdSignals()
  process.on('exit', remove)
  try {
    fd = openSync(tmp, 'wx', 0o600)
    fchmodSync(fd, 0o600)
  } catch (e) {
    failed(e)
  }
  // The text is encoded into one buffer, written out when full: a buffer per piece of text would
  // be one more object to collect, and a system call, for every few hundred lines.
  const pending = Buffer.allocUnsafe(256 * 1024)
  let used = 0
  const flush = (): void => {
    if (failure === undefined) {
      try {
        writeAll(fd as number, pending.subarray(0, used))
      } catch (e) {
        failed(e)
      }
    }
    used = 0
  }
  return {
    write(text) {
      // A text larger than the buffer goes through it in pieces, cut between two characters: a
      // Buffer of the whole of it would be as large as the output.
      for (let at = 0; at < text.length;) {
        let end = Math.min(text.length, at + PIECE)
        const c = text.charCodeAt(end - 1)
        if (end < text.length && c >= 0xd800 && c <= 0xdbff) end--
        const piece = at === 0 && end === text.length ? text : text.slice(at, end)
        // A UTF-16 code unit is at most 3 bytes of UTF-8.
        if (piece.length * 3 > pending.length - used) flush()
        const n = pending.write(piece, used, 'utf8')
        used += n
        bytes += n
        at = end
      }
    },
    get bytes() {
      return bytes
    },
    commit() {
      if (used !== 0) flush()
      if (failure === undefined) {
        try {
          fsyncSync(fd as number)
          closeSync(fd as number)
          fd = undefined
          // What the path was when the run began was checked then (outputTarget); a device, pipe
          // or socket put there since is never renamed over.
          if (noLongerAFile(path)) failure = new ChangedError()
          else renameSync(tmp, path)
        } catch (e) {
          failed(e)
        }
      }
      if (failure !== undefined) {
        end()
        throw new InputError(path, `${whyNotWritten(failure, path)}; nothing was written`)
      }
      ended = true
      process.removeListener('exit', remove)
      deliverHeldSignals()
    },
    discard: end,
  }
}

/** The output path turned into something a file is not renamed over while the run wrote. */
class ChangedError extends Error {}

/** Whether `path` is no longer a path that outputTarget gives a temporary file and a rename. */
function noLongerAFile(path: string): boolean {
  try {
    return outputTarget(path).kind !== 'file'
  } catch {
    return true
  }
}

/** Why a file could not be put at `path`: the folder, when it is missing or is no folder. */
function whyNotWritten(e: unknown, path: string): string {
  if (e instanceof ChangedError) return 'became a device, a named pipe or a socket while the output was written, which is never replaced'
  const code = (e as NodeJS.ErrnoException).code
  const missing = code === 'ENOENT' || code === 'ENOTDIR' ? missingFolder(path) : undefined
  if (missing !== undefined) return missing
  // A folder that is there and still makes no file: one of /proc's or /sys's.
  if (code === 'ENOENT') return `cannot make a file in ${dirname(path)}, whose file system takes no new files (as /proc's does not): choose another path with -o`
  return describeFsError(e, 'write')
}

/**
 * Writes the result on stdout, and fails before any summary is printed when it cannot be written
 * whole (a full disk behind `> file`). A reader that went away (EPIPE) is not an error.
 */
export function writeStdout(sink: ResultSink, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    sink.write(text, (e?: Error | null) => {
      if (!e || (e as NodeJS.ErrnoException).code === 'EPIPE') resolve()
      else reject(new InputError('stdout', `${describeFsError(e, 'write')}; the output is incomplete`))
    })
  })
}
