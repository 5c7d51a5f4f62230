// Makes every write to a file the CLI opened fail as on a full disk (loaded with --import by
// test/faults.test.ts). stdin, stdout and stderr (fds 0-2) are not on that disk: the CLI writes
// its diagnostics to fd 2 with writeSync, and they must still arrive.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
const write = fs.writeSync
fs.writeSync = (fd, ...rest) => {
  if (fd <= 2) return write(fd, ...rest)
  const e = new Error('ENOSPC: no space left on device, write')
  e.code = 'ENOSPC'
  throw e
}
syncBuiltinESMExports()
