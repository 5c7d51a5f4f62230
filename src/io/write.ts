import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { InputError } from '../errors.js'
import { writeAll, type ResultSink } from './fd.js'
import { describeFsError } from './read.js'

/**
 * Writes a file whole or not at all, with mode 0600 whatever the umask: a temporary file in the
 * same folder, flushed, then renamed over the target. A symbolic link at the target is replaced,
 * never written through. SIGINT and SIGTERM wait until the file is in place or removed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // pid + time + a counter keep the name unique; 'wx' below refuses to reuse one anyway. No crypto:
  // loading it costs more start-up than the whole encoding of a small file.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${(tmpCounter++).toString(36)}.tmp`)
  holdSignals()
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o600)
    fchmodSync(fd, 0o600)
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (e) {
    if (fd !== undefined) try { closeSync(fd) } catch { /* already failing */ }
    try { unlinkSync(tmp) } catch { /* never created */ }
    throw new InputError(path, `${describeFsError(e, 'write')}; nothing was written`)
  }
}

let tmpCounter = 0
let holding = false

/**
 * From the first write on, SIGINT and SIGTERM no longer kill the process at once: JavaScript
 * runs their handler only after the synchronous write and rename above have finished (or been
 * undone), and the handler then exits with the usual 128 + signal number.
 */
function holdSignals(): void {
  if (holding) return
  holding = true
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))
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
