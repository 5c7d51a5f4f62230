import { renderEnv, type OutputItem } from '../encode.js'
import { renderHelm } from './helm.js'
import { renderJson } from './json.js'
import { renderK8sSecret } from './k8s-secret.js'
import type { YamlModule } from './yaml.js'

/** Every output format of `encode`, the default first. */
export const FORMATS = ['env', 'helm', 'helm-legacy', 'k8s-secret', 'json'] as const
export type Format = (typeof FORMATS)[number]

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name)
}

/** The formats written with the yaml library, which the caller loads for them only. */
export function isYamlFormat(format: Format): boolean {
  return format === 'helm' || format === 'helm-legacy' || format === 'k8s-secret'
}

/** What each format is written to beside an input named `.env`. */
const BESIDE_DOTENV: Readonly<Record<Format, string>> = {
  'env': '.env_encoded',
  'helm': 'values.secrets.yaml',
  'helm-legacy': 'values.secrets.yaml',
  'k8s-secret': 'secret.yaml',
  'json': '.env_encoded.json',
}

/** What follows `<input>_encoded` for any other input, so that two inputs never share an output. */
const SUFFIXES: Readonly<Record<Format, string>> = {
  'env': '',
  'helm': '.values.yaml',
  'helm-legacy': '.values.yaml',
  'k8s-secret': '.secret.yaml',
  'json': '.json',
}

/**
 * The file name a format is written to beside an input of this name: `.env` keeps the names the
 * chart's and Kubernetes' docs use (`.env_encoded`, `values.secrets.yaml`, `secret.yaml`,
 * `.env_encoded.json`); any other input gets `<input>_encoded` and the format's suffix
 * (`prod.env_encoded`, `prod.env_encoded.values.yaml`, `prod.env_encoded.secret.yaml`,
 * `prod.env_encoded.json`).
 */
export function outputName(input: string, format: Format): string {
  return input === '.env' ? BESIDE_DOTENV[format] : `${input}_encoded${SUFFIXES[format]}`
}

/** The `.gitignore` lines that cover every name `outputName` gives for this input. */
export function ignoreLines(input: string): string[] {
  return input === '.env' ? ['.env_encoded*', 'values.secrets.yaml', 'secret.yaml'] : [`${input}_encoded*`]
}

export interface FormatOptions {
  /** The line ending to write (encodeEnv's `eol`: the input's). */
  eol?: '\n' | '\r\n'
  /** The loaded `yaml` package; required by the YAML formats. */
  yaml?: YamlModule
  /** k8s-secret: metadata.name (default `kestra-secrets`). */
  name?: string
  /** k8s-secret: metadata.namespace. */
  namespace?: string
}

/**
 * The output of `encodeEnv` (its `items`) in a format:
 *
 *     const result = encodeEnv(text)
 *     const values = renderFormat('helm', result.items, { eol: result.eol, yaml: await import('yaml') })
 */
export function renderFormat(format: Format, items: readonly OutputItem[], options: FormatOptions = {}): string {
  const eol = options.eol ?? '\n'
  // For a caller without the types: what they rule out is said, not rendered.
  if (eol !== '\n' && eol !== '\r\n') throw new TypeError(`eol is ${JSON.stringify(eol)}: give '\\n' or '\\r\\n'`)
  if (!isFormat(format)) throw new TypeError(`${JSON.stringify(format)} is no format: give one of ${FORMATS.join(', ')}`)
  switch (format) {
    case 'env': return renderEnv(items, eol)
    case 'json': return renderJson(items, eol)
    case 'helm':
    case 'helm-legacy':
      return renderHelm(items, needYaml(options, format), { legacy: format === 'helm-legacy', eol })
    case 'k8s-secret':
      return renderK8sSecret(items, needYaml(options, format), { eol, name: options.name, namespace: options.namespace })
  }
}

function needYaml(options: FormatOptions, format: Format): YamlModule {
  if (options.yaml === undefined) throw new TypeError(`the ${format} format needs the yaml module: pass { yaml: await import('yaml') }`)
  return options.yaml
}
