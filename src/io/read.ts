import { isUtf8 } from 'node:buffer'
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { InputError } from '../errors.js'

export interface Input {
  /** The name used in messages: the path as given, or `<stdin>`. */
  name: string
  /** The path, or undefined for stdin. */
  path: string | undefined
  /** The text: the bytes read were valid UTF-8 with no NUL. */
  text: string
}

// The bytes are not kept: once decoded, they are memory a large input can do without.
function decoded(bytes: Buffer, name: string): string {
  check(bytes, name)
  return bytes.toString('utf8')
}

/** Inputs larger than this are refused: a .env is small, and the output must fit in one string. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024

/** From this size on, a file is read straight into a string (see regularFileText). */
const LARGE_INPUT_BYTES = 16 * 1024 * 1024

/** Reads a file (or stdin for `-`) as strict UTF-8, keeping a byte-order mark in the text. */
export function readInput(path: string): Input {
  if (path === '-') return { name: '<stdin>', path: undefined, text: decoded(readAll(0, '<stdin>'), '<stdin>') }
  let fd: number
  try {
    if (statSync(path).isDirectory()) {
      throw new InputError(path, 'is a folder, not a file: pass the .env file inside it')
    }
    // Non-blocking, so that a named pipe nobody writes to reads as empty instead of hanging.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    if (e instanceof InputError) throw e
    throw new InputError(path, describeFsError(e, 'read'))
  }
  try {
    return { name: path, path, text: regularFileText(fd, path) ?? decoded(readAll(fd, path), path) }
  } finally {
    closeSync(fd)
  }
}

/**
 * A large regular file's text, read by Node straight into a string: a buffer of the bytes first
 * would be as large again until the garbage collector happens to free it (60 MB of the peak of a
 * 70 MB input). Below LARGE_INPUT_BYTES the bytes are read first all the same, since Node 20's
 * reading into a string takes twice as long (14 ms against 7 for 5 MB). Bytes that are not UTF-8
 * read as U+FFFD: a text with one, or with a NUL, is read again as bytes, for the exact verdict.
 * Undefined for anything but a large regular file.
 */
function regularFileText(fd: number, name: string): string | undefined {
  let size: number
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) return undefined
    size = st.size
  } catch {
    return undefined
  }
  if (size > MAX_INPUT_BYTES) throw tooLarge(name)
  if (size < LARGE_INPUT_BYTES) return undefined
  let text: string
  try {
    text = readFileSync(fd, 'utf8')
  } catch (e) {
    throw new InputError(name, describeFsError(e, 'read'))
  }
  // A UTF-16 code unit holds at least one byte.
  if (text.length > MAX_INPUT_BYTES) throw tooLarge(name)
  if (text.indexOf('\0') === -1 && !text.includes('\uFFFD')) return text
  return decoded(readAll(fd, name, 0), name)
}

/** How long a named pipe may wait for its writer before it counts as empty. */
const FIFO_GRACE_MS = 1000

const waiter = new Int32Array(new SharedArrayBuffer(4))

/** Reads to the end (from `position` when given), waiting when a pipe has a writer but no data yet. */
function readAll(fd: number, name: string, position?: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  let size = 64 * 1024
  let fifo = false
  try {
    const st = fstatSync(fd)
    fifo = st.isFIFO()
    if (st.isFile()) {
      if (st.size > MAX_INPUT_BYTES) throw tooLarge(name)
      size = Math.max(size, st.size + 1)
    }
  } catch (e) {
    if (e instanceof InputError) throw e
  }
  // A named pipe opened without blocking reads as ended until a writer opens it: give one a moment.
  const writerDeadline = Date.now() + FIFO_GRACE_MS
  for (;;) {
    const chunk = Buffer.allocUnsafe(size)
    let n: number
    try {
      n = readSync(fd, chunk, 0, chunk.length, position === undefined ? null : position + total)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') {
        Atomics.wait(waiter, 0, 0, 5)
        continue
      }
      if (code === 'EOF') break
      throw new InputError(name, describeFsError(e, 'read'))
    }
    if (n === 0) {
      if (fifo && total === 0 && Date.now() < writerDeadline) {
        Atomics.wait(waiter, 0, 0, 5)
        continue
      }
      break
    }
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n))
    total += n
    if (total > MAX_INPUT_BYTES) throw tooLarge(name)
  }
  // A regular file arrives in one read: no copy then.
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total)
}

function tooLarge(name: string): InputError {
  return new InputError(name, `is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB: that is not a .env file; split it`)
}

/** A short, value-free reason for a failed file operation. */
export function describeFsError(e: unknown, verb: 'read' | 'write'): string {
  const code = (e as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT': return verb === 'read' ? 'no such file' : 'the folder does not exist'
    case 'EACCES':
    case 'EPERM': return `permission denied: cannot ${verb} it`
    case 'EISDIR': return 'is a folder, not a file'
    case 'ENOTDIR': return 'a part of the path is not a folder'
    case 'ENOSPC': return 'no space left on the device'
    case 'EDQUOT': return 'disk quota exceeded'
    case 'EFBIG': return 'the file has reached the size limit (ulimit -f, or the file system\'s)'
    case 'EBADF': return 'is not an open file descriptor'
    case 'ENXIO': return 'nothing is there to receive it (a device or a socket without its other end)'
    case 'EROFS': return 'the file system is read-only'
    case 'ENAMETOOLONG': return 'the path is too long'
    case 'ELOOP': return 'too many symbolic links in the path'
    default: return `cannot ${verb} it (${code ?? 'unknown error'})`
  }
}

/**
 * Strict UTF-8: a clear line for UTF-16, binary (a NUL byte) or mis-encoded files, with the line
 * of the first bad byte. A UTF-8 BOM is kept, for the parsers to deal with.
 */
function check(bytes: Buffer, name: string): void {
  // A UTF-16 byte-order mark (FF FE little-endian, FE FF big-endian) is never valid UTF-8, and
  // every ASCII character after it has a NUL byte: without this it would read as binary. Windows
  // editors and PowerShell's `>` save files so.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError(name, 'is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8, e.g. with iconv -f UTF-16 -t UTF-8')
  }
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    throw new InputError(name, 'contains a NUL byte: this looks like a binary file, not a .env file', lineOfByte(bytes, nul))
  }
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes)
    throw new InputError(name, `not valid UTF-8 (byte ${bad + 1}): save the file as UTF-8`, lineOfByte(bytes, bad))
  }
}

function lineOfByte(bytes: Buffer, offset: number): number {
  let line = 1
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++
  return line
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0
  while (i < b.length) {
    const c = b[i] as number
    if (c < 0x80) { i++; continue }
    let need: number
    let min: number
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80 }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800 }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000 }
    else return i
    let cp = c & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]
      if (d === undefined || (d & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (d & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return b.length
}
