// Makes every file write fail as on a full disk (loaded with --import by test/faults.test.ts).
import { createRequire, syncBuiltinESMExports } from 'node:module'
const fs = createRequire(import.meta.url)('node:fs')
fs.writeSync = () => {
  const e = new Error('ENOSPC: no space left on device, write')
  e.code = 'ENOSPC'
  throw e
}
syncBuiltinESMExports()
