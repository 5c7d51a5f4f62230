import { basename, dirname, join } from 'node:path'
import type { Diagnostic } from '../core/diagnostics.js'
import { encodeEnv, type EncodeOptions } from '../core/encode.js'
import { DEFAULT_OUTPUT_NAMES, FORMATS, isFormat, isYamlFormat, renderFormat, type Format, type FormatOptions } from '../core/formats/index.js'
import { DEFAULT_SECRET_NAME, isDnsLabel, isDnsSubdomain, mountValues } from '../core/formats/k8s-secret.js'
import { checkLimits } from '../core/formats/limits.js'
import type { YamlModule } from '../core/formats/yaml.js'
import { EXIT, UsageError } from '../errors.js'
import type { Invocation } from '../cli/program.js'
import { plural, printDiagnostics, warnIfTrackable, type Context } from '../cli/report.js'
import { readInput } from '../io/read.js'
import { writeOutput, writeStdout } from '../io/write.js'
import { checkOutputPath } from '../io/output.js'

/**
 * Where a format is written when no `-o` is given, beside the input: `.env` → `.env_encoded` for
 * env, a fixed name for the others (`values.secrets.yaml`, `secret.yaml`, `.env_encoded.json`).
 */
export function defaultOutput(file: string, format: Format = 'env'): string {
  return join(dirname(file), format === 'env' ? `${basename(file)}_encoded` : DEFAULT_OUTPUT_NAMES[format])
}

interface FormatChoice {
  format: Format
  name: string | undefined
  namespace: string | undefined
}

/** --format, --name and --namespace, checked before anything is read. */
function formatChoice(inv: Invocation): FormatChoice {
  const o = inv.options
  const format = typeof o.format === 'string' ? o.format : 'env'
  if (!isFormat(format)) throw new UsageError(`unknown format ${format}: use one of ${FORMATS.join(', ')}`)
  const name = typeof o.name === 'string' ? o.name : undefined
  const namespace = typeof o.namespace === 'string' ? o.namespace : undefined
  if (format !== 'k8s-secret' && (name !== undefined || namespace !== undefined)) {
    const flag = name !== undefined ? '--name' : '--namespace'
    throw new UsageError(`${flag} names the Kubernetes Secret, so it goes with --format k8s-secret only`)
  }
  if (name !== undefined && !isDnsSubdomain(name)) {
    throw new UsageError(`--name ${JSON.stringify(name)} is not a valid Secret name: use lower-case letters, digits, ` +
      "'-' and '.', starting and ending with a letter or digit, at most 253 characters")
  }
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    throw new UsageError(`--namespace ${JSON.stringify(namespace)} is not a valid namespace: use lower-case letters, ` +
      "digits and '-', starting and ending with a letter or digit, at most 63 characters")
  }
  return { format, name, namespace }
}

export async function encode(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const { format, name, namespace } = formatChoice(inv)
  const file = inv.file ?? '.env'
  const toStdout = o.stdout === true || o.output === '-' || (file === '-' && o.output === undefined)
  const output = toStdout ? undefined : (o.output ?? defaultOutput(file, format))

  if (output !== undefined) checkOutputPath(output, file, { derived: o.output === undefined })
  const input = readInput(file)
  const result = encodeInput(input.text, format, { allowDuplicates: o.allowDuplicates, force: o.force })

  const judged = printDiagnostics(ctx, input.name, result.diagnostics, { strict: o.strict, quiet: o.quiet })
  if (result.output !== undefined && output !== undefined) {
    judged.push(...await warnIfTrackable(ctx, output, 'base64 is not encryption', { strict: o.strict, quiet: o.quiet }))
  }
  if (result.output === undefined || judged.some((d) => d.severity === 'error')) return EXIT.rejected

  // The YAML library is loaded for the YAML formats only, so the default path starts no slower.
  const yaml = isYamlFormat(format) ? await import('yaml') : undefined
  const data = typeof result.output === 'function' ? result.output({ yaml, name, namespace }) : result.output
  if (output === undefined) {
    await writeStdout(ctx.stdout, data)
  } else {
    writeOutput(output, data)
  }
  if (!o.quiet) {
    const warnings = judged.filter((d) => d.severity === 'warning').length
    const to = output ?? 'stdout'
    ctx.stderr.write(ctx.paint.ok(`encoded ${plural(result.count, 'secret')} from ${input.name} to ${to}`) +
      (warnings > 0 ? ctx.paint.warning(` (${plural(warnings, 'warning')})`) : '') + '\n')
    if (format === 'k8s-secret' && yaml !== undefined) ctx.stderr.write(mountHint(yaml, name ?? DEFAULT_SECRET_NAME, output))
  }
  return EXIT.ok
}

/** How to apply the Secret and the Helm values that mount it: Kestra reads nothing from it until then. */
function mountHint(yaml: YamlModule, name: string, output: string | undefined): string {
  const { chart1, chart0 } = mountValues(yaml, name)
  const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ')
  const path = output === undefined ? undefined : /^[\w./-]+$/.test(output) ? output : `'${output.replace(/'/g, `'\\''`)}'`
  return (path === undefined ? '' : `apply it with: kubectl apply -f ${path}\n`) +
    `mount it in Kestra with these Helm values (chart 1.0 and later):\n${indent(chart1)}` +
    `or, for chart 0.x:\n${indent(chart0)}`
}

interface Encoded {
  /** The bytes to write, or what renders them in the format; undefined when there is an error. */
  output: Uint8Array | ((options: FormatOptions) => string) | undefined
  count: number
  diagnostics: Diagnostic[]
}

/** The encoding of the input in a format, with every diagnostic about it. */
function encodeInput(text: string, format: Format, options: EncodeOptions): Encoded {
  const result = encodeEnv(text, options)
  if (!result.ok) return { output: undefined, count: 0, diagnostics: result.diagnostics }
  return {
    // encodeEnv has rendered the env format already.
    output: format === 'env' ? () => result.text : (o) => renderFormat(format, result.items, { ...o, eol: result.eol }),
    count: result.entries.length,
    diagnostics: [...result.diagnostics, ...checkLimits(format, result.entries)],
  }
}
