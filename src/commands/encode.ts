import { basename, dirname, join } from 'node:path'
import { encodeEach, encodeEnv, envLine, EnvLines, type EncodeOptions, type EncodeResult } from '../core/encode.js'
import { FORMATS, ignoreLines, isFormat, isYamlFormat, outputName, renderFormat, type Format } from '../core/formats/index.js'
import type { Diagnostic } from '../core/diagnostics.js'
import { DEFAULT_SECRET_NAME, isDnsLabel, isDnsSubdomain, mountValues } from '../core/formats/k8s-secret.js'
import { checkLimits, lineLimit } from '../core/formats/limits.js'
import { pushAll } from '../core/arrays.js'
import type { YamlModule } from '../core/formats/yaml.js'
import { EXIT, InputError, UsageError } from '../errors.js'
import type { Invocation } from './invocation.js'
import { escapeControls, plural, Reporter, type Context } from './report.js'
import { encodeOptions } from './encode-options.js'
import { trackedWarnings, type Guarded } from './tracked.js'
import { MAX_INPUT_BYTES, readInput } from '../io/read.js'
import { heldOutput, openOutput, writeStdout, type PendingOutput } from '../io/write.js'
import { checkOutputPath, checkStdout } from '../io/output.js'

/** Where a format is written when no `-o` is given: beside the input (see outputName). */
export function defaultOutput(file: string, format: Format = 'env'): string {
  return join(dirname(file), outputName(basename(file), format))
}

/**
 * A CRLF output with blank lines is read by docker compose and kubectl, but `set -a; . file` in a
 * POSIX shell runs each blank line as the command `$'\r'`: said once, for an output with blank lines.
 */
function shellWarnings(eol: '\n' | '\r\n'): Diagnostic[] {
  if (eol !== '\r\n') return []
  return [{
    code: 'crlf-shell', severity: 'warning',
    message: 'the output keeps the CRLF line ends of the input, which docker compose and kubectl read, but a ' +
      'POSIX shell cannot source it (`set -a; . file` fails on its blank lines): save the input with LF line ends for that',
  }]
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

/** What the command line can do about the core's findings. */
const ENCODE_HINTS = {
  'duplicate': ', or pass --allow-duplicates to keep the last',
  'already-encoded': ' with `kestra-secrets decode`, or pass --force to encode it again',
  'kubectl-line-limit': ' (--format k8s-secret)',
  'reference': ' (pass --expand to expand it)',
} as const

/** ENCODE_HINTS but those of options already given (a duplicate is then a warning that says what was kept). */
export function encodeHints(o: { allowDuplicates?: boolean }): Partial<Record<keyof typeof ENCODE_HINTS, string>> {
  return o.allowDuplicates === true ? { ...ENCODE_HINTS, duplicate: '' } : ENCODE_HINTS
}

/**
 * read -> scan and encode -> render the format -> write, the same for every input. The env format
 * is written as it is made, into the output's temporary file (see openOutput), and put in place
 * only when nothing stopped the command; the other formats are rendered from the whole list.
 */
export async function encode(inv: Invocation, ctx: Context): Promise<number> {
  const o = inv.options
  const { format, name, namespace } = formatChoice(inv)
  const file = inv.file ?? '.env'
  const toStdout = o.stdout === true || o.output === '-' || (file === '-' && o.output === undefined)
  const output = toStdout ? undefined : (o.output ?? defaultOutput(file, format))
  const reporter = new Reporter(ctx, { strict: o.strict, quiet: o.quiet, hints: encodeHints(o) })

  if (output !== undefined) checkOutputPath(output, file, { derived: o.output === undefined })
  else checkStdout(file)
  const input = readInput(file)
  // The plain input, and the output about to be written: one question to git for both, which git
  // answers while the file is encoded.
  const guarded: Guarded[] = []
  if (input.path !== undefined) guarded.push({ path: input.path, why: 'it holds every secret in plain text', code: 'input-not-git-ignored' })
  if (output !== undefined) {
    // A path of the user's own (-o) is covered by its name; a derived one, by a line for every
    // name encode derives from this input.
    guarded.push({ path: output, why: 'base64 is not encryption', code: 'not-git-ignored',
      ...(o.output === undefined && { lines: ignoreLines(basename(file)) }) })
  }
  const tracked = trackedWarnings(guarded)

  // Whatever ends the command before the output is put in place throws it away.
  const held = output === undefined ? heldOutput() : undefined
  const written = held ?? openOutput(output as string)
  let encoded: Encoded
  let yaml: YamlModule | undefined
  try {
    encoded = format === 'env'
      ? encodeStreaming(input.text, encodeOptions(o, ctx.env), written)
      : encodeWhole(input.text, encodeOptions(o, ctx.env), format)
    reporter.add(input.name, encoded.diagnostics)
    reporter.add(input.name, (await tracked).filter((w) => encoded.ok || w.code !== 'not-git-ignored'))
    reporter.print()
    if (reporter.failed) {
      reporter.printNothingDone()
      return EXIT.rejected
    }
    // The YAML library is loaded for the YAML formats only, so the default path starts no slower.
    yaml = isYamlFormat(format) ? await import('yaml') : undefined
    if (encoded.whole !== undefined) {
      written.write(renderFormat(format, encoded.whole.items, { eol: encoded.whole.eol, yaml, name, namespace }))
    }
    // Every command reads what the others write: decode and check read inputs up to MAX_INPUT_BYTES.
    if (written.bytes > MAX_INPUT_BYTES) {
      throw new InputError(output ?? 'stdout', `the output would be larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, ` +
        'which decode and check do not read; nothing was written: split the .env file')
    }
    if (held !== undefined) await writeStdout(ctx.stdout, held.text())
    else written.commit()
  } finally {
    written.discard()
  }
  if (!o.quiet) {
    reporter.printSummary(`encoded ${plural(encoded.count, 'secret')} from ${input.name} to ${output ?? 'stdout'}`)
    if (format === 'k8s-secret' && yaml !== undefined) ctx.stderr.write(mountHint(yaml, name ?? DEFAULT_SECRET_NAME, output))
  }
  return EXIT.ok
}

/** What the command learnt from encoding: the core's findings with those of the format, and the count. */
interface Encoded {
  ok: boolean
  count: number
  diagnostics: Diagnostic[]
  /** For a format other than env, the whole result, which it is rendered from. */
  whole?: EncodeResult
}

/** The env format, written into `out` chunk by chunk as it is made: no list of the entries is kept. */
function encodeStreaming(text: string, options: EncodeOptions, out: PendingOutput): Encoded {
  const limits: Diagnostic[] = []
  let lines: EnvLines | undefined
  let blank = false
  const outcome = encodeEach(text, options, {
    comment: (line) => lines?.push(line),
    blank: (count) => {
      blank = true
      lines?.blank(count)
    },
    entry: (entry) => {
      const limit = lineLimit(entry)
      if (limit !== undefined) limits.push(limit)
      lines?.push(envLine(entry))
    },
  }, (eol) => {
    lines = new EnvLines(eol, (chunk) => out.write(chunk))
  })
  lines?.end()
  const diagnostics = outcome.diagnostics
  if (outcome.ok) {
    pushAll(diagnostics, limits)
    if (blank) pushAll(diagnostics, shellWarnings(outcome.eol))
  }
  return { ok: outcome.ok, count: outcome.count, diagnostics }
}

/** Any other format: the whole list of entries, which it is rendered from once the command may write. */
function encodeWhole(text: string, options: EncodeOptions, format: Format): Encoded {
  const result = encodeEnv(text, options)
  const diagnostics = result.diagnostics
  if (!result.ok) return { ok: false, count: 0, diagnostics }
  pushAll(diagnostics, checkLimits(format, result.entries))
  return { ok: true, count: result.entries.length, diagnostics, whole: result }
}

/** How to apply the Secret and the Helm values that mount it: Kestra reads nothing from it until then. */
function mountHint(yaml: YamlModule, name: string, output: string | undefined): string {
  const { chart1, chart0 } = mountValues(yaml, name)
  const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ')
  const path = output === undefined ? undefined : /^[\w./-]+$/.test(output) ? output : `'${output.replace(/'/g, `'\\''`)}'`
  return (path === undefined ? '' : `apply it with: kubectl apply -f ${escapeControls(path)}\n`) +
    `mount it in Kestra with these Helm values (chart 1.0 and later):\n${indent(chart1)}` +
    `or, for chart 0.x:\n${indent(chart0)}`
}
