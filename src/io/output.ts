import { statSync, type Stats } from 'node:fs'
import { resolve } from 'node:path'
import { InputError } from '../errors.js'

/** The output may not be the input itself (by path or by inode) nor a folder. */
export function checkOutputPath(output: string, input: string): void {
  const out = statOrUndefined(output)
  if (out?.isDirectory()) throw new InputError(output, 'is a folder: give a file path to -o')
  if (input === '-') return
  const inp = statOrUndefined(input)
  if (resolve(output) === resolve(input) || (out && inp && out.dev === inp.dev && out.ino === inp.ino)) {
    throw new InputError(output, 'is the input file itself: refusing to write over it; choose another path with -o')
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
