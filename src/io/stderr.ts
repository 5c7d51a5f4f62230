import { fstatSync, statSync } from 'node:fs'
import { builtin } from './builtin-module.js'
import { writeAll } from './fd.js'

/** The little of a stream that diagnostics need. */
export interface TextSink {
  write(text: string): unknown
}

/**
 * Writes straight to a file descriptor, synchronously, as Node's own stderr does for files and
 * terminals. `process.stderr` is not used: creating it loads Node's stream and socket machinery,
 * which costs more start-up than encoding a small file. A full pipe is waited out (writeAll); a
 * closed or broken stderr (EBADF, EPIPE) or any other failure drops the text, as there is nowhere
 * left to report it.
 */
export function fdSink(fd: number): TextSink {
  return {
    write(text: string): boolean {
      try {
        return writeAll(fd, Buffer.from(text, 'utf8'))
      } catch {
        return false
      }
    },
  }
}

/**
 * Whether the descriptor is a terminal. Only a character device can be one: anything else (a
 * file, a pipe) is told by a stat, and so is /dev/null (`2>/dev/null`, common in scripts), without
 * loading the tty module, which brings Node's stream and socket code with it.
 */
export async function isTerminal(fd: number): Promise<boolean> {
  try {
    const stat = fstatSync(fd)
    if (!stat.isCharacterDevice()) return false
    const nul = statSync('/dev/null', { throwIfNoEntry: false })
    if (nul !== undefined && nul.isCharacterDevice() && nul.rdev === stat.rdev) return false
  } catch {
    return false
  }
  const { isatty } = await builtin<typeof import('node:tty')>('node:tty')
  return isatty(fd)
}
