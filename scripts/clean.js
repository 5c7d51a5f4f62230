// Removes build output folders; a script so that `npm run build` works the same on every OS.
import { rmSync } from 'node:fs'
for (const dir of process.argv.slice(2)) rmSync(dir, { recursive: true, force: true })
