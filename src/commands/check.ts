import { checkEncoded, type CheckOptions, type CheckResult } from '../core/check.js'
import { displayName } from '../core/names.js'
import { mightBeFormatted } from '../core/formats/read.js'
import { EXIT, InputError, UsageError } from '../errors.js'
import type { Invocation } from './invocation.js'
import { plural, Reporter, type Context, type Reported, type ReportOptions } from './report.js'
import { readFlowFiles } from '../io/flows.js'
import { readInput, type Input } from '../io/read.js'
import { writeStdout } from '../io/write.js'
import { checkStdout } from '../io/output.js'
import { givenTwice } from '../io/same-file.js'

/** What `check --json` prints: the findings and their counts, never a value. */
export interface CheckReport {
  ok: boolean
  strict: boolean
  file: string
  /** What the file was read as: `env`, or a format of `encode --format`. */
  format: CheckResult['format']
  /** Each input: its name, what it was read as, how many secrets. */
  inputs: CheckResult['inputs']
  /** The Secrets values files mount whole, whose keys are not checked. */
  mounts: CheckResult['mounts']
  against: string | null
  flows: string | null
  secrets: number
  errors: number
  warnings: number
  notes: number
  findings: Reported[]
}

/** What the command line can do about the core's findings. */
const CHECK_HINTS: ReportOptions['hints'] = {
  'kubectl-line-limit': ' (kestra-secrets encode --format k8s-secret)',
  'plain-env': (d) => `: did you mean \`kestra-secrets check ${d.file}_encoded --against ${d.file}\`?`,
}

/** read every input -> check them as one deployment -> report (lines, or --json). */
export async function check(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const files = inv.files.length === 0 ? ['.env_encoded'] : inv.files
  const againstPath = typeof o.against === 'string' ? o.against : undefined
  const flowsPath = typeof o.flows === 'string' ? o.flows : undefined
  if ([...files, againstPath].filter((f) => f === '-').length > 1) {
    throw new UsageError('only one input can be read from stdin: give the others as files')
  }
  if (flowsPath === '-') {
    // Flows are a folder of files, walked for *.yml and *.yaml: '-' would be looked for as a file named '-'.
    throw new UsageError('--flows does not read stdin: it takes the path of a folder (or a file) of flows: give that path')
  }
  // Read twice, a file would be checked against itself: each of its secrets defined in two inputs.
  const twice = givenTwice(files)
  if (twice !== undefined) {
    const name = (f: string): string => (f === '-' ? 'stdin' : f)
    throw new UsageError(twice.first === twice.again
      ? `${twice.first} is given twice: give each input once`
      : `${name(twice.first)} and ${name(twice.again)} are the same file, given twice: give each input once`)
  }
  const strict = o.strict === true
  const quiet = o.quiet === true
  const reporter = new Reporter(ctx, { strict, quiet, hints: CHECK_HINTS, keepAll: o.json === true })

  // --json prints on stdout, and never onto an input (`check x --json >> x`).
  if (o.json === true) for (const f of [...files, againstPath]) if (f !== undefined) checkStdout(f)
  let inputs: Input[]
  const options: CheckOptions = { expand: o.expand === true, env: ctx.env }
  try {
    inputs = files.map((f) => readInput(f))
    if (againstPath !== undefined) {
      const plain = readInput(againstPath)
      options.against = { name: plain.name, text: plain.text }
    }
    if (flowsPath !== undefined) {
      options.flows = { root: flowsPath, files: readFlowFiles(flowsPath).map((f) => ({ name: f.name, text: f.text })) }
    }
  } catch (e) {
    // --json promises an object on stdout, also when an input cannot be read at all.
    if (o.json === true && e instanceof InputError) {
      await writeStdout(ctx.stdout, JSON.stringify({ ok: false, strict, error: { file: e.where, ...(e.line !== undefined && { line: e.line }), message: e.message } }, null, 2) + '\n')
    }
    throw e
  }
  // The YAML library is loaded only for a text that may be a values file or a Secret manifest, or for flows.
  if (inputs.some((i) => mightBeFormatted(i.text)) || flowsPath !== undefined) options.yaml = await import('yaml')
  const result = checkEncoded(inputs.map((i) => ({ name: i.name, text: i.text })), options)
  reporter.add(inputs[0]?.name ?? '', result.findings)
  const errors = reporter.count('error')
  const warnings = reporter.count('warning')
  const notes = reporter.count('note')

  if (o.json === true) {
    const report: CheckReport = {
      ok: errors === 0,
      strict,
      file: inputs[0]?.name ?? '',
      format: result.format,
      inputs: result.inputs,
      mounts: result.mounts,
      against: options.against?.name ?? null,
      flows: flowsPath ?? null,
      secrets: result.secrets.length,
      errors,
      warnings,
      notes,
      findings: reporter.all,
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
    const what = result.inputs.map((r) => (r.format === 'env' ? r.name : `${r.name} (${r.format})`)).join(' and ')
    const checked = `${plural(result.secrets.length, 'secret')} in ${what}${also === '' ? '' : ` checked ${also}`}`
    const tally = [plural(errors, 'error'), plural(warnings, 'warning'), plural(notes, 'note')].join(', ')
    ctx.stderr.write(errors === 0
      ? ctx.paint.ok(`ready for Kestra: ${checked}`) + (warnings + notes > 0 ? ctx.paint.warning(` (${tally})`) : '') + '\n'
      : ctx.paint.error(`not ready for Kestra: ${checked}: ${tally}${reporter.strictNote()}`) + '\n')
    for (const m of result.mounts) {
      ctx.stderr.write(`also mounts the Secret ${m.secret} (${m.list}${m.prefix === undefined ? '' : `, prefix ${displayName(m.prefix)}`}), ` +
        'whose keys are not checked here: check that Secret\'s manifest too\n')
    }
  }
  return errors === 0 ? EXIT.ok : EXIT.rejected
}
