import { statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { encodeEnv } from '../core/encode.js'
import type { Diagnostic } from '../core/diagnostics.js'
import { InputError, EXIT } from '../cli/errors.js'
import type { Invocation } from '../cli/program.js'
import { plural, printDiagnostics, type Context } from '../cli/report.js'
import { readInput } from '../io/read.js'
import { writeFileAtomic, writeStdout } from '../io/write.js'
import { isTrackableByGit } from '../io/git.js'

/** `.env` → `.env_encoded`, beside the input. */
export function defaultOutput(file: string): string {
  return join(dirname(file), `${basename(file)}_encoded`)
}

export async function encode(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const file = inv.file ?? '.env'
  const toStdout = o.stdout === true || o.output === '-' || (file === '-' && o.output === undefined)
  const output = toStdout ? undefined : (o.output ?? defaultOutput(file))

  if (output !== undefined) checkOutputPath(output, file)
  const input = readInput(file)
  const result = encodeEnv(input.text, { allowDuplicates: o.allowDuplicates, force: o.force })

  const judged = printDiagnostics(ctx, input.name, result.diagnostics, { strict: o.strict, quiet: o.quiet })
  if (result.ok && output !== undefined && isTrackableByGit(output)) {
    const warning: Diagnostic = {
      code: 'not-git-ignored',
      severity: 'warning',
      message: 'is in a git work tree and not ignored, and base64 is not encryption: ' +
        `add the line ${basename(output)} to .gitignore`,
    }
    judged.push(...printDiagnostics(ctx, output, [warning], { strict: o.strict, quiet: o.quiet }))
  }
  if (judged.some((d) => d.severity === 'error')) return EXIT.rejected

  if (output === undefined) {
    await writeStdout(ctx.stdout, result.text)
  } else {
    writeFileAtomic(output, result.text)
  }
  if (!o.quiet) {
    const warnings = judged.filter((d) => d.severity === 'warning').length
    const to = output ?? 'stdout'
    ctx.stderr.write(ctx.paint.ok(`encoded ${plural(result.entries.length, 'secret')} from ${input.name} to ${to}`) +
      (warnings > 0 ? ctx.paint.warning(` (${plural(warnings, 'warning')})`) : '') + '\n')
  }
  return EXIT.ok
}

/** The output may not be the input itself (by path or by inode) nor a folder. */
function checkOutputPath(output: string, input: string): void {
  const out = statOrUndefined(output)
  if (out?.isDirectory()) throw new InputError(output, 'is a folder: give a file path to -o')
  if (input === '-') return
  const inp = statOrUndefined(input)
  if (resolve(output) === resolve(input) || (out && inp && out.dev === inp.dev && out.ino === inp.ino)) {
    throw new InputError(output, 'is the input file itself: refusing to write over it; choose another path with -o')
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
