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

/** The file name each format is written to beside the input; env's is `<input>_encoded`. */
export const DEFAULT_OUTPUT_NAMES: Readonly<Record<Exclude<Format, 'env'>, string>> = {
  'helm': 'values.secrets.yaml',
  'helm-legacy': 'values.secrets.yaml',
  'k8s-secret': 'secret.yaml',
  'json': '.env_encoded.json',
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
