// Makes creating files fail as in a read-only folder, which root cannot otherwise be shown.
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
const open = fs.openSync
fs.openSync = (path, flags, mode) => {
  if (flags === 'wx') {
    const e = new Error(`EACCES: permission denied, open '${path}'`)
    e.code = 'EACCES'
    throw e
  }
  return open(path, flags, mode)
}
syncBuiltinESMExports()
