import { checkEncoded, type CheckOptions, type CheckResult } from '../core/check.js'
import { mightBeFormatted } from '../core/formats/read.js'
import type { YamlModule } from '../core/formats/yaml.js'
import { EXIT, UsageError } from '../errors.js'
import type { Invocation } from './invocation.js'
import { plural, Reporter, type Context, type Reported } from './report.js'
import { readFlowFiles } from '../io/flows.js'
import { readInput } from '../io/read.js'
import { writeStdout } from '../io/write.js'

/** What `check --json` prints: the findings and their counts, never a value. */
export interface CheckReport {
  ok: boolean
  strict: boolean
  file: string
  /** What the file was read as: `env`, or a format of `encode --format`. */
  format: CheckResult['format']
  against: string | null
  flows: string | null
  secrets: number
  errors: number
  warnings: number
  notes: number
  findings: Reported[]
}

/** What the command line can do about the core's findings. */
const CHECK_HINTS = {
  'kubectl-line-limit': ' (kestra-secrets encode --format k8s-secret)',
} as const

export async function check(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const file = inv.file ?? '.env_encoded'
  const againstPath = typeof o.against === 'string' ? o.against : undefined
  const flowsPath = typeof o.flows === 'string' ? o.flows : undefined
  if (file === '-' && againstPath === '-') {
    throw new UsageError('the encoded file and --against cannot both be read from stdin: give one of them as a file')
  }
  const strict = o.strict === true
  const quiet = o.quiet === true

  const input = readInput(file)
  const options: CheckOptions = { name: input.name, expand: o.expand === true, env: ctx.env }
  // The YAML library is loaded only for a text that may be a values file or a Secret manifest, or for flows.
  if (mightBeFormatted(input.text) || flowsPath !== undefined) options.yaml = await import('yaml')
  if (againstPath !== undefined) {
    const plain = readInput(againstPath)
    options.against = { name: plain.name, text: plain.text }
  }
  if (flowsPath !== undefined) {
    options.flows = { root: flowsPath, files: readFlowFiles(flowsPath).map((f) => ({ name: f.name, text: f.text })) }
  }
  const result = checkEncoded(input.text, options)
  const reporter = new Reporter(ctx, { strict, quiet, hints: CHECK_HINTS })
  reporter.add(input.name, result.findings)
  const findings = reporter.all
  const errors = reporter.count('error')
  const warnings = reporter.count('warning')
  const notes = reporter.count('note')

  if (o.json === true) {
    const report: CheckReport = {
      ok: errors === 0,
      strict,
      file: input.name,
      format: result.format,
      against: options.against?.name ?? null,
      flows: flowsPath ?? null,
      secrets: result.secrets.length,
      errors,
      warnings,
      notes,
      findings,
    }
    await writeStdout(ctx.stdout, JSON.stringify(report, null, 2) + '\n')
    return errors === 0 ? EXIT.ok : EXIT.rejected
  }

  reporter.print()
  if (!quiet) {
    const also = [
      options.against !== undefined ? `against ${options.against.name}` : '',
      flowsPath !== undefined ? `with the flows in ${flowsPath}` : '',
    ].filter((s) => s !== '').join(' and ')
    const what = result.format === 'env' ? input.name : `${input.name} (${result.format})`
    const checked = `${plural(result.secrets.length, 'secret')} in ${what}${also === '' ? '' : ` checked ${also}`}`
    const tally = [plural(errors, 'error'), plural(warnings, 'warning'), plural(notes, 'note')].join(', ')
    ctx.stderr.write(errors === 0
      ? ctx.paint.ok(`ready for Kestra: ${checked}`) + (warnings + notes > 0 ? ctx.paint.warning(` (${tally})`) : '') + '\n'
      : ctx.paint.error(`not ready for Kestra: ${checked}: ${tally}${reporter.strictNote()}`) + '\n')
  }
  return errors === 0 ? EXIT.ok : EXIT.rejected
}
