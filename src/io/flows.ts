import { readdirSync, statSync, type Dirent } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../errors.js'
import { describeFsError, readInput, type Input } from './read.js'

const FLOW_FILE = /\.ya?ml$/i

/**
 * The flow files under `root` (`*.yml`, `*.yaml`, in every sub-folder), read as UTF-8 and sorted
 * by path; `root` may also be one file. Hidden folders (`.git`) and node_modules are skipped, and
 * symbolic links to folders are not followed, so the walk always ends.
 */
export function readFlowFiles(root: string): Input[] {
  let stats
  try {
    stats = statSync(root)
  } catch (e) {
    throw new InputError(root, describeFsError(e, 'read'))
  }
  if (!stats.isDirectory()) return [readInput(root)]
  const paths: string[] = []
  const walk = (dir: string): void => {
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (e) {
      throw new InputError(dir, describeFsError(e, 'read'))
    }
    for (const d of entries) {
      const path = join(dir, d.name)
      if (d.isDirectory()) {
        if (!d.name.startsWith('.') && d.name !== 'node_modules') walk(path)
      } else if (FLOW_FILE.test(d.name) && (d.isFile() || (d.isSymbolicLink() && isFile(path)))) {
        paths.push(path)
      }
    }
  }
  walk(root)
  return paths.sort().map((p) => readInput(p))
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
