import { writeSync } from 'node:fs'

// Writing to a descriptor, for stdout's results and stderr's messages alike.

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes all of `bytes` to a descriptor, or throws. write(2) may take only part of what it is
 * given (a file reaching the end of the disk or `ulimit -f`, a pipe): the rest is written again
 * until the system takes it or says why not (ENOSPC, EFBIG), where Node's own stdout would stop
 * at the first part without a word. A full non-blocking pipe (EAGAIN) is waited for. Returns false
 * when the reader has gone (EPIPE, as in `| head -1`): what it did not read, it did not want.
 */
export function writeAll(fd: number, bytes: Uint8Array): boolean {
  let done = 0
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EPIPE') return false
      if (code !== 'EAGAIN' && code !== 'EINTR') throw e
      Atomics.wait(pause, 0, 0, 1)
    }
  }
  return true
}

/** Where results go: fd 1 in the CLI (resultSink), a stream when a test runs a command in-process. */
export interface ResultSink {
  write(data: string | Uint8Array, done?: (e?: Error | null) => void): unknown
}

/**
 * stdout as the CLI writes it: synchronously, every byte (writeAll), straight to the descriptor.
 * process.stdout is not used: it ignores short writes to a file, and creating it loads Node's
 * stream and socket code. Once the reader has gone, what follows is dropped.
 */
export function resultSink(fd: number): ResultSink {
  let open = true
  return {
    write(data, done) {
      try {
        if (open) open = writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
        done?.()
      } catch (e) {
        done?.(e as Error)
      }
      return true
    },
  }
}
