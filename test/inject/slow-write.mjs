// Makes writes to files slow, 8 KiB at a time with a pause after each, and says on stderr when
// the first one starts (loaded with --import by test/io/signals.test.ts): a signal sent then
// arrives while the temporary file is being written, every time.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
const write = fs.writeSync
const pause = new Int32Array(new SharedArrayBuffer(4))
let told = false
fs.writeSync = (fd, buffer, offset, length, ...rest) => {
  if (fd <= 2 || typeof buffer === 'string' || typeof offset !== 'number') return write(fd, buffer, offset, length, ...rest)
  if (!told) {
    told = true
    write(2, 'WRITING\n')
  }
  const n = write(fd, buffer, offset, Math.min(length ?? buffer.byteLength - offset, 8 * 1024), ...rest)
  Atomics.wait(pause, 0, 0, 2)
  return n
}
syncBuiltinESMExports()
