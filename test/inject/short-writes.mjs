// Makes every write of bytes take at most 7 of them, as write(2) may (loaded with --import by
// test/io/short-writes.test.ts): whoever writes must carry on with the rest.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
const write = fs.writeSync
fs.writeSync = (fd, buffer, offset, length, ...rest) => {
  if (typeof buffer === 'string' || typeof offset !== 'number') return write(fd, buffer, offset, length, ...rest)
  return write(fd, buffer, offset, Math.min(length ?? buffer.byteLength - offset, 7), ...rest)
}
syncBuiltinESMExports()
