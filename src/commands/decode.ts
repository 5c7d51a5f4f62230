import { decodeText } from '../core/decode.js'
import { mightBeFormatted } from '../core/formats/read.js'
import { EXIT } from '../errors.js'
import type { Invocation } from './invocation.js'
import { plural, Reporter, type Context } from './report.js'
import { trackedWarnings } from './tracked.js'
import { checkOutputPath, checkStdout } from '../io/output.js'
import { readInput } from '../io/read.js'
import { writeOutput, writeStdout } from '../io/write.js'

/** read -> decode -> write, the same for every input. */
export async function decode(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const file = inv.file ?? '.env_encoded'
  const output = typeof o.output === 'string' && o.output !== '-' ? o.output : undefined

  if (output !== undefined) checkOutputPath(output, file)
  else checkStdout(file)
  const input = readInput(file)
  // The YAML library is loaded only for a text that may be a values file or a Secret manifest.
  const yaml = mightBeFormatted(input.text) ? await import('yaml') : undefined
  const result = decodeText(input.text, { yaml, expand: o.expand === true, env: ctx.env })

  const reporter = new Reporter(ctx, { strict: o.strict, quiet: o.quiet })
  reporter.add(input.name, result.diagnostics)
  if (result.ok && output !== undefined) {
    reporter.add(output, await trackedWarnings([{ path: output, why: 'it holds your secrets in plain text', code: 'not-git-ignored' }]))
  }
  reporter.print()
  if (reporter.failed) {
    reporter.printNothingDone()
    return EXIT.rejected
  }

  if (output === undefined) {
    await writeStdout(ctx.stdout, result.text)
  } else {
    writeOutput(output, result.text)
  }
  if (!o.quiet) {
    const from = result.format === 'env' ? input.name : `${input.name} (${result.format})`
    reporter.printSummary(`decoded ${plural(result.secrets, 'secret')} from ${from} to ${output ?? 'stdout'}`)
  }
  return EXIT.ok
}
