// Makes a file whose name contains "unreadable" fail to open as a file without read permission
// does; the tests run as root, which can read any file.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
const open = fs.openSync
fs.openSync = (path, ...rest) => {
  if (String(path).includes('unreadable')) {
    const e = new Error(`EACCES: permission denied, open '${path}'`)
    e.code = 'EACCES'
    throw e
  }
  return open(path, ...rest)
}
syncBuiltinESMExports()
